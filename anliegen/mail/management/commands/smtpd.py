"""anliegen smtpd: receive mail over SMTP (or LMTP) and store it as cases.

Point the mail server's transport for the service addresses at it, e.g. Postfix:
`service@example.org lmtp:inet:127.0.0.1:2525`. It answers 250 only after the mail is
stored and 451 while the database is unavailable, so the mail server keeps and retries it."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from anliegen.mail import smtpd


class Command(BaseCommand):
    help = "Run the SMTP/LMTP listener that stores incoming mail."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1).")
        parser.add_argument("--port", type=int, default=2525, help="Port to listen on (default 2525).")
        parser.add_argument("--lmtp", action="store_true", help="Speak LMTP instead of SMTP.")

    def handle(self, *args: Any, **options: Any) -> None:
        protocol = "LMTP" if options["lmtp"] else "SMTP"
        self.stdout.write(f"Listening for {protocol} on {options['host']}:{options['port']}", ending="\n")
        self.stdout.flush()
        smtpd.serve(options["host"], options["port"], lmtp=options["lmtp"])
