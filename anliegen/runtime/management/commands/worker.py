"""anliegen worker: run background tasks and the periodic jobs feature apps register."""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the background worker: queued tasks (outbound mail, ...) and periodic jobs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls.")
        parser.add_argument("--no-periodic", action="store_true", help="Run queued tasks only.")
        parser.add_argument("--batch", action="store_true", help="Run until the queue is empty, then exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        from anliegen.runtime import periodic

        if not options["no_periodic"]:
            periodic.start_scheduler()
        worker_args = ["--interval", str(options["interval"])]
        if options["batch"]:
            worker_args.append("--batch")
        call_command("db_worker", *worker_args)
