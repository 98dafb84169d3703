"""anliegen demo: fill an empty database with a realistic service department."""

import importlib
import random
from typing import Any

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from anliegen.accounts.models import User
# The ground's demo first (teams, agents, customers, cases), then each app's demo module.
from anliegen.tickets import demo


class Command(BaseCommand):
    help = "Create demo teams, agents, customers and cases (only into an empty database)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customers", type=int, default=300)
        parser.add_argument("--cases", type=int, default=400)
        parser.add_argument("--seed", type=int, default=42)

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if User.objects.exists():
            self.stdout.write("The database already has users; demo data were not added.")
            self._print_logins()
            return
        with transaction.atomic():
            counts = demo.populate(customers=options["customers"], cases=options["cases"], seed=options["seed"])
            rng = random.Random(options["seed"])
            for config in apps.get_app_configs():
                if not config.name.startswith("anliegen.") or config.name == "anliegen.tickets":
                    continue
                try:
                    module = importlib.import_module(f"{config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.demo":
                        raise
                    continue
                module.populate(rng)
        self.stdout.write(self.style.SUCCESS(
            f"Demo data: {counts['teams']} teams, {counts['agents']} agents and a lead, "
            f"{counts['customers']} customers, {counts['cases']} cases."))
        self._print_logins()

    def _print_logins(self) -> None:
        self.stdout.write(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
        self.stdout.write("  lena   head of service (lead: sees every team)")
        self.stdout.write("  anna   technical support agent")
        self.stdout.write("  mia    commercial support agent")
        self.stdout.write("  petra  reception")
        self.stdout.write("  katrin second level")
        self.stdout.write("  admin  administrator")
