"""Notifications stored as text become their kind's parameters, rendered in the reader's language.

Each notification whose title and body read as its kind's messages (accounts.notifications,
registered by the apps that send them; in Indonesian or English) gets the parameters read
back from the text, and its stored text is emptied. One that does not (a digest, whose body
is built of parts, or a kind since renamed) keeps its text and is shown as before.

Reversible: going back writes the rendered Indonesian title and body again.
"""

from django.db import migrations

from accounts.notifications import BODIES, TITLES

BATCH = 2000
LANGUAGES = ("id", "en")


def recognise(kind: str, title: str, body: str):
    """The parameters that render this title and body for ``kind``, or None."""
    if kind not in TITLES:
        return None
    params = TITLES.parse(kind, title, languages=LANGUAGES)
    if params is None:
        return None
    found = BODIES.parse(kind, body, languages=LANGUAGES)
    if found is None:
        return None
    params.update(found)
    if TITLES.render_in("id", kind, params) != title and TITLES.render_in("en", kind, params) != title:
        return None
    return params or None


def text_to_params(apps, schema_editor):
    Notification = apps.get_model("accounts", "Notification")
    last = 0
    while True:
        rows = list(Notification.objects.filter(pk__gt=last, params={}).order_by("pk")[:BATCH])
        if not rows:
            break
        last = rows[-1].pk
        changed = []
        for note in rows:
            params = recognise(note.kind, note.title, note.body)
            if params is not None:
                note.params, note.title, note.body = params, "", ""
                changed.append(note)
        Notification.objects.bulk_update(changed, ["params", "title", "body"])


def params_to_text(apps, schema_editor):
    Notification = apps.get_model("accounts", "Notification")
    last = 0
    while True:
        rows = list(Notification.objects.filter(pk__gt=last).exclude(params={}).order_by("pk")[:BATCH])
        if not rows:
            break
        last = rows[-1].pk
        for note in rows:
            note.title = TITLES.render_in("id", note.kind, note.params)[:200]
            note.body = BODIES.render_in("id", note.kind, note.params)
            note.params = {}
        Notification.objects.bulk_update(rows, ["params", "title", "body"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_notification_params")]

    operations = [migrations.RunPython(text_to_params, params_to_text)]
