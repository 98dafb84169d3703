import os
import warnings

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anliegen.settings")
# Static files come from WhiteNoise's synchronous file iterator; serving them through ASGI
# is correct, only slower than a front proxy, so the per-request warning is noise.
warnings.filterwarnings("ignore", message="StreamingHttpResponse must consume synchronous iterators")
application = get_asgi_application()
