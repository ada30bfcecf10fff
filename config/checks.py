"""System checks on the settings an operator must give SIGAP.

`manage.py migrate` and `check` run them (compose's web service migrates before it
serves), and the WSGI application and the Celery worker and beat run the errors among
them at start (``refuse_to_start_misconfigured``), so a process started on its own
cannot serve links that lead nowhere either.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.http.request import validate_host


@checks.register()
def check_base_url(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """SIGAP_BASE_URL is what emails link to and certificates print: it must be set outside DEBUG
    and be an absolute http(s) address."""
    base_url = settings.SIGAP_BASE_URL
    if not base_url:
        if settings.DEBUG:
            return []
        return [
            checks.Error(
                "SIGAP_BASE_URL is not set.",
                hint="Set it to the address people use to reach SIGAP, e.g. https://sigap.pontianak.go.id: "
                "emails link to it and certificates print it.",
                id="sigap.E001",
            )
        ]
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        return [
            checks.Error(
                "SIGAP_BASE_URL must be an absolute http(s) address such as https://sigap.pontianak.go.id.",
                id="sigap.E002",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def check_base_url_for_deployment(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Links that would be redirected to HTTPS, or refused by ALLOWED_HOSTS, are wrong links."""
    parts = urlsplit(settings.SIGAP_BASE_URL or "")
    if not parts.hostname:
        return []  # check_base_url reports it
    messages = []
    if parts.scheme == "http" and getattr(settings, "SECURE_SSL_REDIRECT", False):
        messages.append(
            checks.Warning(
                "SIGAP_BASE_URL uses http:// while plain HTTP is redirected to HTTPS.",
                hint="Use the https:// address in SIGAP_BASE_URL.",
                id="sigap.W001",
            )
        )
    if not validate_host(parts.hostname, settings.ALLOWED_HOSTS):
        messages.append(
            checks.Warning(
                "The host of SIGAP_BASE_URL is not in DJANGO_ALLOWED_HOSTS: its links would be refused.",
                id="sigap.W002",
            )
        )
    return messages


def refuse_to_start_misconfigured(process: str) -> None:
    """Raise ImproperlyConfigured when a check above reports an error (for wsgi.py, the worker, beat)."""
    errors = [m for m in check_base_url() if m.level >= checks.ERROR]
    if errors:
        details = " ".join(f"{m.msg} ({m.id}) {m.hint or ''}".strip() for m in errors)
        raise ImproperlyConfigured(f"SIGAP {process} will not start: {details}")


def refuse_to_start_celery(process: str) -> None:
    """For the worker's and beat's init signals, which log and swallow ordinary exceptions:
    a misconfigured worker exits with the reason instead."""
    from django.apps import apps

    if not apps.ready:
        import django

        django.setup()
    try:
        refuse_to_start_misconfigured(process)
    except ImproperlyConfigured as exc:
        raise SystemExit(str(exc)) from exc
