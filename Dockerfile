# syntax=docker/dockerfile:1
#
# SIGAP: one image for every process of the production shape (see
# docker-compose.yml): web (gunicorn), worker and beat (Celery).
# Configuration comes from the environment only; nothing secret is baked in.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings \
    SIGAP_PRIVATE_MEDIA_ROOT=/var/lib/sigap/media

# The processes run as this unprivileged user. It owns only what it must write:
# the collected static files, the private media and the beat schedule.
RUN groupadd --system --gid 10001 sigap \
    && useradd --system --uid 10001 --gid sigap --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin sigap

WORKDIR /app

# pg_dump and pg_restore for `manage.py sigap_backup` / `sigap_restore` (README "Backup and
# restore"); Debian bookworm's client is PostgreSQL 15, the server of docker-compose.yml.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, so a code change does not reinstall them. The lock pins
# every package (psycopg2-binary and the rest ship manylinux wheels).
COPY requirements.lock ./
RUN pip install -r requirements.lock

# The code stays owned by root: the app user can read it, not change it.
COPY . .
RUN mkdir -p /app/staticfiles /var/lib/sigap/media /var/lib/sigap/beat \
    && chown -R sigap:sigap /app/staticfiles /var/lib/sigap \
    && chmod 0750 /var/lib/sigap/media

USER sigap

# Static files are collected (hashed and compressed, served by WhiteNoise) at
# build time, so the image works on its own; web collects again on start.
RUN python manage.py collectstatic --noinput

EXPOSE 8000
# The same server as compose's web service: gunicorn.conf.py takes the number of workers
# (WEB_CONCURRENCY, 3) and the request timeout (GUNICORN_TIMEOUT, 60 s) from the environment.
CMD ["gunicorn", "--config", "gunicorn.conf.py", "config.wsgi"]
