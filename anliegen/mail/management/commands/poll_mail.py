"""anliegen poll-mail: fetch new mail from every enabled IMAP mailbox.

Without --once it polls again every --interval seconds until stopped; `anliegen worker`
also polls periodically (see mail.tasks), so this command is for running a poller on its
own or for a one-off fetch."""

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, close_old_connections

from anliegen.mail import imap


class Command(BaseCommand):
    help = "Fetch unseen mail from the enabled IMAP mailboxes and store it as cases."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Poll each mailbox once, then exit.")
        parser.add_argument("--interval", type=float, default=None,
                            help="Seconds between polls (default: MAIL_POLL_SECONDS).")
        parser.add_argument("--limit", type=int, default=None, help="At most this many mails per mailbox a poll.")

    def handle(self, *args: Any, **options: Any) -> None:
        interval = options["interval"]
        if interval is None:
            interval = float(settings.MAIL_POLL_SECONDS)
        if interval < 0:
            raise CommandError("--interval must not be negative.")
        if not options["once"] and options["verbosity"] >= 1:
            self.stdout.write(f"Polling the enabled IMAP mailboxes every {interval:g} s")
            self.stdout.flush()
        while True:
            try:
                results = imap.poll_all(limit=options["limit"])
            except DatabaseError as exc:
                # Nothing was acknowledged without being stored; wait for the database.
                if options["once"]:
                    raise CommandError(f"The database is unavailable: {exc}") from exc
                self.stderr.write(f"The database is unavailable, polling again later: {exc}")
                results = []
            if not results and options["once"] and options["verbosity"] >= 1:
                self.stderr.write("No enabled IMAP mailbox is set up.")
            for result in results:
                if result.errors:
                    self.stderr.write(str(result))
                elif options["verbosity"] >= 1 and (options["once"] or result.fetched):
                    self.stdout.write(str(result))
            if options["once"]:
                if any(r.errors for r in results):
                    raise CommandError("Some mailboxes could not be polled (see above).")
                return
            time.sleep(interval)
            close_old_connections()  # a long-running loop: drop a connection the database closed
