import os
import warnings

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anliegen.settings")
# Static files come from WhiteNoise's synchronous file iterator; serving them through ASGI
# is correct, only slower than a front proxy, so the per-request warning is noise.
warnings.filterwarnings("ignore", message="StreamingHttpResponse must consume synchronous iterators")
django_application = get_asgi_application()

from django.conf import settings  # noqa: E402  (configured by get_asgi_application)
from django.urls import reverse  # noqa: E402

from anliegen.lib.bodylimit import BodyLimitMiddleware  # noqa: E402


def anonymous_form_limit(path: str) -> int | None:
    """The largest body the forms anyone may send accept (see lib.bodylimit)."""
    if path == reverse("portal:webform"):
        return settings.WEBFORM_MAX_BYTES
    if path in {reverse("portal:login"), reverse("accounts:login")}:
        return settings.SIGN_IN_MAX_BYTES
    return None


application = BodyLimitMiddleware(django_application, anonymous_form_limit)
