from django.conf import settings
from django.utils import translation


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
