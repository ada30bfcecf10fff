import re

from django.conf import settings
from django.http import JsonResponse
from django.middleware.gzip import GZipMiddleware
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

COMPRESSIBLE = ("text/", "application/json", "application/javascript", "application/manifest+json")


class TextGZipMiddleware(GZipMiddleware):
    """Gzip what is text: pages, JSON, the service worker, and (under ``make run``, where no
    pre-compressed copy exists) CSS and JavaScript. Not PDFs, spreadsheets or photos, which are
    compressed already. In production WhiteNoise answers static files with its own .gz/.br copy
    (Content-Encoding set), which this leaves alone.

    BREACH (README "Compression and BREACH"): a compressed page's length can leak a secret in it
    only to someone who can both put their own text into the same page and watch its length
    over many requests. Django masks the CSRF token anew in every response, Django's gzip adds
    up to 100 random bytes to every compressed body to blur its length, and the session cookie
    is SameSite=Lax, so another site cannot make the browser send the signed-in requests such an
    attack needs.
    """

    def process_response(self, request, response):
        content_type = response.get("Content-Type", "")
        if not content_type.startswith(COMPRESSIBLE):
            return response
        return super().process_response(request, response)


class LanguageMiddleware:
    """Bahasa Indonesia first: the language is Indonesian unless the user chose another
    with the language switcher (Django's language cookie). The browser's Accept-Language is
    ignored on purpose: many phones and office PCs here are set to English, and SIGAP's users
    work in Indonesian."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        response.headers.setdefault("Vary", "Cookie")
        return response


class SecurityHeadersMiddleware:
    """Content-Security-Policy, Permissions-Policy and no-store, on every response Django makes.

    The policy is one constant: no template carries inline script, inline style or an
    on*= handler, so no nonce or hash is needed and the header never varies per request.
    Scripts change styles only through the CSSOM (``el.style.x = ...``), which style-src
    does not govern; that is how Leaflet, Chart.js and Bootstrap place their elements.
    Static files never reach this middleware (WhiteNoise answers them first), so they keep
    their long cache lifetime.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.csp = settings.SIGAP_CONTENT_SECURITY_POLICY
        self.permissions = settings.SIGAP_PERMISSIONS_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        # Django's own debug pages (DEBUG only) style themselves inline.
        if not (settings.DEBUG and response.status_code in (404, 500)):
            response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault("Permissions-Policy", self.permissions)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # Whatever a signed-in user is shown may carry personal data: keep it out of the
            # browser's cache (a shared office PC, a borrowed phone) and out of any proxy.
            if "no-store" not in response.get("Cache-Control", ""):
                add_never_cache_headers(response)
        elif not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response


_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(rb"[\[\]{}]")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def json_nesting_exceeds(body: bytes, limit: int) -> bool:
    """Whether a JSON text nests arrays/objects deeper than ``limit``, found without parsing it
    (Python's json module answers a deep enough text with RecursionError)."""
    depth = 0
    for match in _JSON_BRACKET.finditer(_JSON_STRING.sub(b"", body)):
        if match.group() in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


class JsonBodyLimitMiddleware:
    """Every request body that is not a form is bounded in size and nesting depth before any
    view reads it: too large or too deep is a 400 with a clear message, never a 500.

    Bodies sent as forms (urlencoded, multipart) are Django's to parse and bound
    (DATA_UPLOAD_MAX_MEMORY_SIZE and friends); everything else may reach ``json.loads``."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.max_bytes = settings.SIGAP_JSON_MAX_BYTES
        self.max_depth = settings.SIGAP_JSON_MAX_DEPTH

    def __call__(self, request):
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.content_type not in _FORM_TYPES:
            refused = self._refuse(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    def _refuse(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > self.max_bytes or len(request.body) > self.max_bytes:
            message = _("The data sent is too large (at most %(size)s KB).") % {
                "size": self.max_bytes // 1024
            }
            return JsonResponse({"error": str(message)}, status=400)
        if json_nesting_exceeds(request.body, self.max_depth):
            message = _("The data sent is nested too deeply (at most %(depth)s levels).") % {
                "depth": self.max_depth
            }
            return JsonResponse({"error": str(message)}, status=400)
        return None
