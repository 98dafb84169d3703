"""anliegen createadmin: create (or reset) an administrator account."""

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from anliegen.accounts.actions import create_staff
from anliegen.accounts.models import Role, User


class Command(BaseCommand):
    help = "Create an administrator who can sign in to Anliegen."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--password", help="Read from the terminal when left out.")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"].strip()
        if not username:
            raise CommandError("Give a user name.")
        password = options["password"] or getpass.getpass("Password: ")
        if len(password) < 8:
            raise CommandError("The password must have at least 8 characters.")
        existing = User.objects.filter(username=username).first()
        if existing:
            existing.set_password(password)
            existing.role = Role.ADMIN
            existing.is_staff = existing.is_superuser = True
            existing.save()
            self.stdout.write(f"Administrator {username} updated.")
            return
        create_staff(username=username, password=password, role=Role.ADMIN, email=options["email"],
                     display_name=username, languages=["de", "en"])
        self.stdout.write(f"Administrator {username} created.")
