"""Anonymous forms (the web form, the sign-in pages) refuse an oversized request body before it
is read: an ASGI middleware checks the declared length, and counts a body sent without one as
it arrives, handing the application an empty body and a mark instead. The view then answers
with a clear message and counts the refusal against its rate limit.

Also: a form that declares a character set other than UTF-8 is refused with a message (Django
reads forms in UTF-8 only; an unknown character set would otherwise end in a server error)."""

import asyncio
import codecs
from collections.abc import Awaitable, Callable
from typing import Any

from django.http import HttpRequest

TOO_LARGE = "anliegen.body_too_large"  # the scope key the middleware sets

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class BodyLimitMiddleware:
    def __init__(self, app: Any, limit_for: Callable[[str], int | None]) -> None:
        self.app = app
        self.limit_for = limit_for  # the largest body accepted for a path, None: no limit here

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.limit_for(scope.get("path", "")) if scope["type"] == "http" else None
        if limit is None or scope.get("method") not in {"POST", "PUT", "PATCH"}:
            await self.app(scope, receive, send)
            return
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            scope[TOO_LARGE] = declared  # the body is never read
        seen = 0
        state = "reading"  # then "whole" (all of it passed on) or "cut" (refused)

        async def counted() -> dict[str, Any]:
            nonlocal seen, state
            if state == "whole":
                return await receive()  # the disconnect Django listens for, as usual
            if state == "cut":
                # Django waits here for a disconnect while it answers; what the client still
                # sends stays unread (the server closes the connection after the answer).
                await asyncio.Event().wait()
            if TOO_LARGE in scope:
                state = "cut"
                return {"type": "http.request", "body": b"", "more_body": False}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    scope[TOO_LARGE] = seen
                    state = "cut"
                    return {"type": "http.request", "body": b"", "more_body": False}
                if not message.get("more_body", False):
                    state = "whole"
            return message

        await self.app(scope, counted, send)


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 1 << 62  # unreadable: treated as too large
    return None


def body_too_large(request: HttpRequest, limit: int) -> bool:
    """Whether the request's body is over limit: marked by the middleware (ASGI), or declared."""
    if TOO_LARGE in getattr(request, "scope", {}):
        return True
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > limit
    except ValueError:
        return True


def unreadable_charset(request: HttpRequest) -> str:
    """The character set a form post declares when it is not UTF-8 (known or not), else ""."""
    if request.content_type not in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        return ""
    charset = request.content_params.get("charset", "").strip()
    if not charset:
        return ""
    try:
        if codecs.lookup(charset).name == "utf-8":
            return ""
    except LookupError:
        pass
    return charset[:40]
