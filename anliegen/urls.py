from django.urls import include, path

from anliegen.api.api import api

urlpatterns = [
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
