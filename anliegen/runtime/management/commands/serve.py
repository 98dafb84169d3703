"""anliegen serve: apply migrations, collect static files, run the ASGI server."""

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run Anliegen's web server (ASGI), after applying migrations and collecting static files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1)
        parser.add_argument("--no-migrate", action="store_true", help="Do not apply migrations first.")

    def handle(self, *args: Any, **options: Any) -> None:
        import uvicorn

        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        if not settings.DEBUG:
            call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"Anliegen is running at http://{options['host']}:{options['port']}/")
        uvicorn.run(
            "anliegen.asgi:application", host=options["host"], port=options["port"],
            workers=options["workers"], log_level="warning", access_log=False, lifespan="off",
        )
