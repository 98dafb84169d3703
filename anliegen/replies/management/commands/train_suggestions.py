"""anliegen train-suggestions: learn suggested replies from the agents' picks now."""

from typing import Any

from django.core.management.base import BaseCommand

from anliegen.replies import suggestions


class Command(BaseCommand):
    help = "Train the suggested-replies model on the standard replies agents picked (also runs every 6 hours)."

    def handle(self, *args: Any, **options: Any) -> None:
        used = suggestions.retrain()
        if used:
            self.stdout.write(self.style.SUCCESS(f"Learnt from {used} picks."))
        else:
            self.stdout.write(f"Too few picks (fewer than {suggestions.MIN_PICKS}); suggestions use the replies' texts.")
