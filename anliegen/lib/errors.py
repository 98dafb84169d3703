"""Anliegen's own "not found" and "forbidden" pages, for staff and for the portal, with DEBUG
on and off alike.

Django shows its debug page for a 404 while DEBUG is on; a case or queue one may not see
answers 404 (its existence stays hidden), and that answer must look the same in development
as in production, so NotFoundMiddleware renders the page for every 404 a view raises. An
address that matches no URL at all still gets the debug page in development (it lists the
URLs, which is what a developer wants there) and this page in production (handler404)."""

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render


def _is_portal(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    if match is not None and match.app_name:
        return match.app_name == "portal"
    return request.path.startswith("/portal/")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    template = "portal/404.html" if _is_portal(request) else "404.html"
    return render(request, template, {"request_path": request.path}, status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception is not None and str(exception) else ""
    return render(request, "403.html", {"reason": message}, status=403)


class NotFoundMiddleware:
    """Turns an Http404 raised by a view into Anliegen's page, whatever DEBUG says."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Http404):
            return not_found(request, exception)
        return None
