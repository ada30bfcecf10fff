#!/usr/bin/env bash
# Fail when the Indonesian catalogue does not compile, when the committed .mo is
# stale, or when a user-facing string has no (or only a fuzzy) Indonesian translation.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
PO=locale/id/LC_MESSAGES/django.po
MO=locale/id/LC_MESSAGES/django.mo
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

msgfmt --check -o "$tmp/django.mo" "$PO"
if ! cmp -s "$tmp/django.mo" "$MO"; then
  echo "locale: $MO is stale; run 'make messages' and commit the result." >&2
  exit 1
fi

# Extract the strings again into a copy of the project and look for gaps.
cp "$PO" "$tmp/django.po.orig"
"$PY" manage.py makemessages -l id --no-obsolete --ignore=.venv --ignore=staticfiles --ignore=tests --ignore=scripts \
  --ignore=node_modules >/dev/null
untranslated=$(msgattrib --untranslated --no-obsolete "$PO" | grep -c '^msgid ' || true)
fuzzy=$(msgattrib --only-fuzzy --no-obsolete "$PO" | grep -c '^msgid ' || true)
cp "$tmp/django.po.orig" "$PO"
# msgattrib prints the header entry too (msgid ""), hence "> 1" for a gap.
if [ "${untranslated:-0}" -gt 1 ] || [ "${fuzzy:-0}" -gt 0 ]; then
  echo "locale: untranslated or fuzzy strings found; run 'make messages' and translate them:" >&2
  "$PY" manage.py makemessages -l id --no-obsolete --ignore=.venv --ignore=staticfiles --ignore=tests --ignore=scripts \
    --ignore=node_modules >/dev/null
  msgattrib --untranslated --no-obsolete "$PO" | grep '^msgid ' | head -20 >&2 || true
  cp "$tmp/django.po.orig" "$PO"
  exit 1
fi
echo "locale: Indonesian catalogue complete and compiled."
