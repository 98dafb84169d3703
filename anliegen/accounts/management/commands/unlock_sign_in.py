"""anliegen unlock-sign-in: lift a sign-in pause after too many failed staff sign-ins."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from anliegen.accounts.actions import clear_sign_in_failures


class Command(BaseCommand):
    help = "Lift the pause on signing in that failed sign-ins caused, for an account, an address or all."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", nargs="?", default="", help="the account name")
        parser.add_argument("--address", default="", help="the address the sign-ins came from")
        parser.add_argument("--all", action="store_true", help="every account and address")

    def handle(self, *args: Any, **options: Any) -> None:
        if not (options["username"] or options["address"] or options["all"]):
            raise CommandError("Name an account, an --address, or give --all.")
        cleared = clear_sign_in_failures(username=options["username"], address=options["address"],
                                         everything=options["all"])
        self.stdout.write(f"{cleared} failed sign-ins forgotten; signing in is possible again.")
