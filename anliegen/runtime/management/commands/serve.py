"""anliegen serve: apply migrations, collect static files, run the ASGI server."""

from typing import Any

import uvicorn
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


def server_options(*, host: str, port: int, workers: int = 1,
                   app: Any = "anliegen.asgi:application") -> dict[str, Any]:
    """The ASGI server's options (uvicorn.run's, and uvicorn.Config's). Forwarded headers
    (X-Forwarded-For, -Proto) are read only from the proxies in settings.TRUSTED_PROXIES:
    uvicorn's own default believes them from any local process, and every per-address limit
    would be one header away."""
    proxies = list(settings.TRUSTED_PROXIES)
    return {
        "app": app, "host": host, "port": port, "workers": workers, "log_level": "warning",
        "access_log": False, "lifespan": "off",
        "proxy_headers": bool(proxies), "forwarded_allow_ips": proxies,
    }


class Command(BaseCommand):
    help = "Run Anliegen's web server (ASGI), after applying migrations and collecting static files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1)
        parser.add_argument("--no-migrate", action="store_true", help="Do not apply migrations first.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        if not settings.DEBUG:
            call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"Anliegen is running at http://{options['host']}:{options['port']}/")
        uvicorn.run(**server_options(host=options["host"], port=options["port"],
                                     workers=options["workers"]))
