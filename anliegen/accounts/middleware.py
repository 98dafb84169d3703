"""Staff middleware: a signed-in person's interface language, and sessions that end when idle."""

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation


class UserLanguageMiddleware:
    """Runs after authentication: a user's own setting beats the browser's Accept-Language,
    which LocaleMiddleware has already applied for everyone else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(user, "ui_language", "") if user is not None and user.is_authenticated else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if language:
            response.headers.setdefault("Content-Language", language)
        return response


class SessionIdleMiddleware:
    """Sessions end after settings.SESSION_COOKIE_AGE of inactivity (ANLIEGEN_SESSION_IDLE_MINUTES):
    a request refreshes the session's expiry, at most once a minute so that reading pages does
    not write the session every time."""

    REFRESH_SECONDS = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(time.time())
            if now - int(session.get(SEEN_KEY, 0)) >= self.REFRESH_SECONDS:
                session[SEEN_KEY] = now  # a change: the session is saved with a fresh expiry
        return self.get_response(request)


SEEN_KEY = "_seen"


def mark_session_seen(*, request: HttpRequest | None = None, **_kwargs: object) -> None:
    """Signal user_logged_in: signing in just saved the session with a fresh expiry, so the
    first page after it need not write the session again."""
    session = getattr(request, "session", None)
    if session is not None:
        session[SEEN_KEY] = int(time.time())
