"""SIGAP settings: one module, driven by the environment.

Embedded default (nothing set): SQLite in the project folder, Celery tasks run
eagerly, DEBUG off. `make run` sets DJANGO_DEBUG=1 for local use.
Production: DATABASE_URL (PostgreSQL), REDIS_URL or CELERY_BROKER_URL,
DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS. See README.md "Configuration".
"""

import os
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# pytest sets PYTEST_VERSION for its whole run: tests speak plain HTTP to the
# test client and the live server, and use unhashed static files.
TESTING = "PYTEST_VERSION" in os.environ

# An insecure key is accepted only while DEBUG is on; production must set one.
_DEV_SECRET_KEY = "django-insecure-sigap-development-only-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=_DEV_SECRET_KEY)

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "kelurahan",
    "accounts",
    "cadres",
    "training",
    "board",
    "cases",
    "reports",
    "privacy",
    "demo",
    "config.apps.ProjectConfig",
]

MIDDLEWARE = [
    # Before everything, so that its time covers every middleware below: the Server-Timing
    # header `make bench` reads (core/timing.py; only with SIGAP_SERVER_TIMING on).
    "core.timing.ServerTimingMiddleware",
    # Then first, so that it compresses what every other middleware answers, WhiteNoise's static
    # files under DEBUG included (production serves WhiteNoise's pre-compressed copies).
    "config.middleware.TextGZipMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Early, so that responses made by the middleware below (a CSRF refusal, a redirect)
    # carry the policy headers too.
    "config.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "config.middleware.JsonBodyLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionIdleMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a login refused by the throttle into SIGAP's lockout page.
    "axes.middleware.AxesMiddleware",
    # After it: a repeated send (same key) replays the first answer (accounts/idempotency.py).
    # Its process_view runs after CSRF's and the session rules' checks have said yes.
    "accounts.idempotency.IdempotencyMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "accounts.context_processors.navigation",
            ],
            # {{ form|lean }}: crispy's Bootstrap 5 shape at a fraction of its cost (core/lean_forms.py).
            "libraries": {"lean_forms": "core.lean_forms"},
        },
    },
]

# SQLite when DATABASE_URL is unset (the embedded default), PostgreSQL when set.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A database that accepts the connection and never answers would otherwise hold a
    # gunicorn worker until its timeout; libpq gives up after this many seconds (minimum 2).
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int(
        "DATABASE_CONNECT_TIMEOUT", default=5
    )
    # No JIT: SIGAP's queries are short lookups, and a misestimate that crosses the JIT cost
    # threshold spends a second compiling a plan that runs in milliseconds (issue 12). And the
    # cost of a random read on SSD storage (PostgreSQL's default, 4, is a spinning disk's): with
    # it, a month's cases are joined to their children through the index, not by reading every
    # child of every year (issue 12: the recap's month, 2.2 s against 0.6 s at 200,000 cases).
    DATABASES["default"]["OPTIONS"]["options"] = "-c jit=off -c random_page_cost={}".format(
        env.float("DATABASE_RANDOM_PAGE_COST", default=1.1)
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out login before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    # Django's common passwords plus leaked ones of 12+ characters (SecLists; accounts/data/SOURCES.md).
    {"NAME": "accounts.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.password_validation.ContextPasswordValidator"},  # the demo password, outside DEBUG
]
if TESTING:
    # Hashing at full strength makes every test user cost ~0.3 s; tests prove behaviour, not hashing.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A session ends after SIGAP_SESSION_IDLE_MINUTES without a request, and SESSION_COOKIE_AGE
# after the login whatever the activity (accounts.middleware.SessionIdleMiddleware).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SIGAP_SESSION_IDLE_MINUTES = env.int("SIGAP_SESSION_IDLE_MINUTES", default=30)

# Reverse proxies in front of gunicorn that append to X-Forwarded-For (0: none, use REMOTE_ADDR).
# The audit log's addresses and the login throttle's per-address limit depend on it.
SIGAP_PROXY_COUNT = env.int("SIGAP_PROXY_COUNT", default=0)

# Login throttling (accounts/lockout.py explains the two limits).
# Failures of one user name from one address, and from all addresses together:
SIGAP_LOGIN_FAILURE_LIMIT = env.int("SIGAP_LOGIN_FAILURE_LIMIT", default=5)
SIGAP_LOGIN_USERNAME_FAILURE_LIMIT = env.int("SIGAP_LOGIN_USERNAME_FAILURE_LIMIT", default=20)
SIGAP_LOGIN_COOLOFF_MINUTES = env.int("SIGAP_LOGIN_COOLOFF_MINUTES", default=15)
AXES_HANDLER = "accounts.lockout.LoginThrottleHandler"
AXES_FAILURE_LIMIT = "accounts.lockout.failure_limit_for_axes"
AXES_COOLOFF_TIME = "accounts.lockout.cool_off_for_axes"
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"], "username"]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip_for_axes"
# The login forms' field, named here: axes would otherwise derive it lazily from the user model.
AXES_USERNAME_FORM_FIELD = "username"

# Second factor (TOTP with recovery codes; accounts/second_factor.py). Required for the roles
# accounts.policy.ROLE_SECOND_FACTOR names, when this is on: on by default outside DEBUG, off with
# DEBUG so `make run`'s demo logins stay one step. Tests turn it on where they test it.
SIGAP_REQUIRE_2FA = env.bool("SIGAP_REQUIRE_2FA", default=not DEBUG and not TESTING)
OTP_TOTP_ISSUER = "SIGAP Kota Pontianak"

# Bahasa Indonesia first, English second; Pontianak is on WIB (UTC+7).
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Pontianak"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploaded files (case attachments) live outside any public path and are served
# only through views that apply the access policy.
MEDIA_ROOT = Path(env.str("SIGAP_PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "private_media")))

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Celery: Redis when a broker URL is set; eager (in-process) when not.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None)
# Tests run tasks in-process even when CI sets a broker; the tests of the real worker point
# the Celery app at Redis themselves.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL or TESTING
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 10 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 9 * 60
CELERY_RESULT_EXPIRES = 60 * 60
# Nothing reads a task's result but the health ping and the worker tests (which ask for it):
# without this, sending a task also subscribes to its result in Redis, with its own retries.
CELERY_TASK_IGNORE_RESULT = True
# A hung or refused Redis costs seconds, not minutes: every connect and every answer awaited,
# for the broker and the result store, gives up after REDIS_TIMEOUT seconds, and sending a task
# is retried twice at most (the outbox keeps the work; it is sent again later).
REDIS_TIMEOUT = env.float("REDIS_TIMEOUT", default=5.0)
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_TIMEOUT
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": REDIS_TIMEOUT,
    "socket_timeout": REDIS_TIMEOUT,
    # A message taken by a worker that died whole (kill -9, a lost container) goes back to
    # the queue after this long: the longest task's hard limit (the inactive-cadre job, 15
    # minutes) and a margin, not Redis' default hour; a shorter one would hand a task still
    # running to a second worker. acks_late stays on, so a lost task is redone.
    "visibility_timeout": 15 * 60 + 60,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_TIMEOUT
CELERY_REDIS_SOCKET_TIMEOUT = REDIS_TIMEOUT
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_IMPORTS = ["config.tasks"]
# Periodic jobs (celery beat). Each task is thin and idempotent; `expires` drops a run
# that could not start before the next one is due.
# How often beat sends the escalation sweep (README "Escalation to KPAD").
SIGAP_ESCALATION_SWEEP_SECONDS = env.int("SIGAP_ESCALATION_SWEEP_SECONDS", default=15 * 60)
# How often beat drains the outbox (the work that follows a commit: emails, escalations at once,
# exports; accounts/outbox.py). A commit also nudges the drain at once when the broker answers.
SIGAP_OUTBOX_DRAIN_SECONDS = env.int("SIGAP_OUTBOX_DRAIN_SECONDS", default=15)
# The recap's stored monthly counts (reports/facts.py): used at all, and how often beat counts
# the months changed since (README "Scale").
SIGAP_RECAP_FACTS = env.bool("SIGAP_RECAP_FACTS", default=True)
SIGAP_RECAP_FACTS_REFRESH_SECONDS = env.int("SIGAP_RECAP_FACTS_REFRESH_SECONDS", default=10 * 60)
CELERY_BEAT_SCHEDULE: dict = {
    "recap-facts": {
        "task": "reports.tasks.recap_facts_refresh_task",
        "schedule": SIGAP_RECAP_FACTS_REFRESH_SECONDS,
        "options": {"expires": max(1, SIGAP_RECAP_FACTS_REFRESH_SECONDS * 14 // 15)},
    },
    "drain-outbox": {
        "task": "accounts.tasks.drain_outbox_task",
        "schedule": SIGAP_OUTBOX_DRAIN_SECONDS,
        "options": {"expires": max(1, SIGAP_OUTBOX_DRAIN_SECONDS)},
    },
    "escalation-sweep": {
        "task": "cases.tasks.escalation_sweep_task",
        "schedule": SIGAP_ESCALATION_SWEEP_SECONDS,
        "options": {"expires": max(1, SIGAP_ESCALATION_SWEEP_SECONDS * 14 // 15)},
    },
    "kpad-reminders": {
        "task": "cases.tasks.kpad_reminders_task",
        "schedule": crontab(hour=8, minute=0),
        "options": {"expires": 60 * 60},
    },
    "kpad-daily-digest": {
        "task": "cases.tasks.kpad_daily_digest_task",
        "schedule": crontab(hour=7, minute=0),
        "options": {"expires": 60 * 60},
    },
    "purge-idempotency-keys": {
        "task": "accounts.tasks.purge_idempotency_keys_task",
        "schedule": crontab(hour=2, minute=30),
        "options": {"expires": 6 * 60 * 60},
    },
    "task-digest": {
        "task": "cases.tasks.task_digest_task",
        "schedule": crontab(hour=6, minute=30),
        "options": {"expires": 60 * 60},
    },
    "referral-reminders": {
        "task": "cases.tasks.referral_reminders_task",
        "schedule": crontab(hour=6, minute=0),
        "options": {"expires": 60 * 60},
    },
    # The month's list of records due for destruction, for a supervisor to approve (privacy).
    "destruction-list": {
        "task": "privacy.tasks.destruction_list_build_task",
        "schedule": crontab(day_of_month=1, hour=2, minute=30),
        "options": {"expires": 24 * 60 * 60},
    },
    "flag-inactive-cadres": {
        "task": "cadres.tasks.flag_inactive_cadres_task",
        "schedule": crontab(hour=1, minute=0),
        "options": {"expires": 6 * 60 * 60},
    },
}

# Email: console in development, SMTP by environment (EMAIL_URL=smtp://...).
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "")
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="SIGAP <sigap@localhost>")
# A mail server that is down or hung costs a worker this many seconds, then the email is tried
# again later (the outbox); it is never marked sent before the server accepted it.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# Security. With DEBUG off the secure defaults hold; a deployment behind a
# TLS-terminating proxy sets DJANGO_SECURE_PROXY_SSL_HEADER=1.
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG and not TESTING:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=True)
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
    if env.bool("DJANGO_SECURE_PROXY_SSL_HEADER", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy: nothing inline, nothing from another origin. Bootstrap's CSS draws
# its small icons (the menu button, select arrows) from data: URIs, hence img-src data:.
# report-uri: the browser posts what it blocked, and SIGAP logs it (config.views.csp_report).
SIGAP_CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "report-uri /csp-report/",
    ]
)
# Powerful browser features SIGAP never uses, switched off for every page. Attaching a photo
# uses a plain file input (the phone's own camera or gallery picker), which needs none of them.
SIGAP_PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
)
# Request bodies that are not forms (JSON from the intake form's scripts): size and depth.
SIGAP_JSON_MAX_BYTES = env.int("SIGAP_JSON_MAX_BYTES", default=256 * 1024)
SIGAP_JSON_MAX_DEPTH = env.int("SIGAP_JSON_MAX_DEPTH", default=32)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # axes: a line per failed login and lockout (warnings), not per check.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
if CELERY_TASK_ALWAYS_EAGER and not TESTING:
    # In-process tasks (the embedded default): no line per task, and no warning that the
    # producer Celery opens even for eager tasks has no broker host.
    LOGGING["loggers"]["celery.app.trace"] = {"level": "WARNING"}
    LOGGING["loggers"]["kombu.connection"] = {"level": "ERROR"}

# SIGAP's own settings.
# A report's draft and the queued sends kept on a kader's phone are deleted after this many days
# (README "What stays on the phone"); they are deleted on logout and once sent in any case.
SIGAP_DEVICE_DRAFT_DAYS = env.int("SIGAP_DEVICE_DRAFT_DAYS", default=7)
# Cadres: no activity for this many days flags a cadre inactive (DESIGN.md "Cadres").
CADRE_INACTIVE_DAYS = env.int("CADRE_INACTIVE_DAYS", default=90)
# Escalation to KPAD (DESIGN.md "Escalation to KPAD"): the rules' thresholds.
SIGAP_ESCALATION_UNTRIAGED_HOURS = env.int("SIGAP_ESCALATION_UNTRIAGED_HOURS", default=48)
SIGAP_ESCALATION_STALLED_DAYS = env.int("SIGAP_ESCALATION_STALLED_DAYS", default=14)
SIGAP_ESCALATION_REPEAT_MONTHS = env.int("SIGAP_ESCALATION_REPEAT_MONTHS", default=12)
# Consent (cases.consent): from this age a child may give or refuse consent themselves.
SIGAP_CONSENT_CHILD_MIN_AGE = env.int("SIGAP_CONSENT_CHILD_MIN_AGE", default=12)
# Case work: a service plan is reviewed every N days; a referral with no answer after N days
# brings its case worker a reminder task; a task overdue this many days makes a case stalled.
SIGAP_PLAN_REVIEW_DAYS = env.int("SIGAP_PLAN_REVIEW_DAYS", default=30)
SIGAP_REFERRAL_ANSWER_DAYS = env.int("SIGAP_REFERRAL_ANSWER_DAYS", default=7)
SIGAP_TASK_OVERDUE_STALLED_DAYS = env.int("SIGAP_TASK_OVERDUE_STALLED_DAYS", default=7)
# KPAD's own response target: acknowledge an escalation within this many days.
SIGAP_KPAD_ACKNOWLEDGE_DAYS = env.int("SIGAP_KPAD_ACKNOWLEDGE_DAYS", default=3)
# The address people use to reach SIGAP (https://sigap.pontianak.go.id), for the links in
# emails and the verification address printed on certificates. Required when DEBUG is off:
# the system checks (config/checks.py) refuse to migrate or serve without it.
SIGAP_BASE_URL = env.str("SIGAP_BASE_URL", default="http://127.0.0.1:8000" if DEBUG or TESTING else "")
SIGAP_DEMO_PASSWORD = "sigap-demo"  # noqa: S105 - the documented demo password, refused when DEBUG is off
SIGAP_DEMO_USERNAMES = ("admin", "petugas", "kader", "kader2", "kpad")  # refused as passwords too
SIGAP_ATTACHMENT_MAX_BYTES = env.int(
    "SIGAP_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024
)  # case attachments
# A form's send key (accounts.idempotency) replays its first answer for this many days.
SIGAP_IDEMPOTENCY_KEY_DAYS = env.int("SIGAP_IDEMPOTENCY_KEY_DAYS", default=7)
SIGAP_EXPORT_SYNC_MAX_ROWS = env.int("SIGAP_EXPORT_SYNC_MAX_ROWS", default=2000)  # larger: a Celery job
# A Server-Timing header with each response's server time and query count (core/timing.py),
# for `make bench`. Off in production: it tells any visitor how long the database took.
SIGAP_SERVER_TIMING = env.bool("SIGAP_SERVER_TIMING", default=False)
# UU 27/2022 (PDP), the privacy app. How long each kind of record is kept before it goes on the
# month's destruction list (README "Privacy duties"); set them to the Dinas' Jadwal Retensi Arsip.
SIGAP_RETENTION_CASE_YEARS = env.int("SIGAP_RETENTION_CASE_YEARS", default=10)  # completed, from closure
SIGAP_RETENTION_UNFOUNDED_CASE_YEARS = env.int("SIGAP_RETENTION_UNFOUNDED_CASE_YEARS", default=2)
SIGAP_RETENTION_DRAFT_DAYS = env.int("SIGAP_RETENTION_DRAFT_DAYS", default=90)  # unsent intake drafts
# Answer a data subject's request, and notify subjects and the authority of a breach, within
# this many hours (UU 27/2022: 3 x 24 hours).
SIGAP_SUBJECT_REQUEST_HOURS = env.int("SIGAP_SUBJECT_REQUEST_HOURS", default=72)
SIGAP_BREACH_NOTICE_HOURS = env.int("SIGAP_BREACH_NOTICE_HOURS", default=72)
