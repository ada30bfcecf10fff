"""gunicorn's settings for SIGAP's web process, from the environment.

The Dockerfile's default command, compose's web service and `make prodcheck` all start
gunicorn with this file, so they serve alike. gunicorn also reads this file by itself
when started from the project folder.

- WEB_CONCURRENCY (3): worker processes. Each serves one request at a time, so one slow
  request (a large export or import) never takes the whole site with it.
- GUNICORN_TIMEOUT (60): seconds a request may take before its worker is restarted.
- GUNICORN_BIND (0.0.0.0:$PORT, PORT 8000): where to listen.
- FORWARDED_ALLOW_IPS: read by gunicorn itself; leave it alone, Django decides whether a
  request came over HTTPS (DJANGO_SECURE_PROXY_SSL_HEADER).
"""

import os

bind = [os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{os.environ.get('PORT') or '8000'}"]  # noqa: S104 - inside the container
workers = int(os.environ.get("WEB_CONCURRENCY") or 3)
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 60)
# Requests, one line each, on standard output; errors on standard error.
accesslog = "-"
errorlog = "-"
# Workers' heartbeat files in memory: a container's /tmp may sit on a slow overlay disk,
# and a heartbeat that stalls gets a healthy worker killed.
# (gunicorn creates them with mkstemp and unlinks them at once.)
if os.path.isdir("/dev/shm"):  # noqa: S108
    worker_tmp_dir = "/dev/shm"  # noqa: S108
