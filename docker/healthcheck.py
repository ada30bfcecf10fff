"""Container health check for the web service: exit 0 only when GET /healthz answers 200.

Run by docker-compose.yml inside the web container (no curl in the slim image).
Django refuses a Host it does not know, so the request names the first of
DJANGO_ALLOWED_HOSTS. /healthz is exempt from the HTTPS redirect.
"""

import http.client
import os
import sys


def allowed_host() -> str:
    first = os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost").split(",")[0].strip()
    if first in ("", "*"):
        return "localhost"
    return first.lstrip(".")  # ".example.go.id" allows example.go.id itself


def main() -> int:
    port = int(os.environ.get("PORT", "8000"))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", "/healthz", headers={"Host": allowed_host()})
        status = conn.getresponse().status
    except OSError as exc:
        print(f"healthz: {type(exc).__name__}", file=sys.stderr)
        return 1
    finally:
        conn.close()
    if status != 200:
        print(f"healthz: HTTP {status}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
