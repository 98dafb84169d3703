from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from anliegen.api.api import api

def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says; the icon is an SVG in the static files."""
    return HttpResponsePermanentRedirect(static("anliegen/favicon.svg"))


urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    path("", include("anliegen.tickets.urls")),
    path("accounts/", include("anliegen.accounts.urls")),
    path("mail/", include("anliegen.mail.urls")),
    path("phone/", include("anliegen.phone.urls")),
    path("portal/", include("anliegen.portal.urls")),
    path("routing/", include("anliegen.routing.urls")),
    path("replies/", include("anliegen.replies.urls")),
    path("notifications/", include("anliegen.notifications.urls")),
    path("api/", api.urls),
    path("accounts/api-tokens/", include("anliegen.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]

# Anliegen's own pages for "not found" and "forbidden", staff and portal (anliegen.lib.errors).
handler404 = "anliegen.lib.errors.not_found"
handler403 = "anliegen.lib.errors.forbidden"
