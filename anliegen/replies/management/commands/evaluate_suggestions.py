"""anliegen evaluate-suggestions: top-3 accuracy of suggested replies on held-out mails."""

from typing import Any

from django.core.management.base import BaseCommand

from anliegen.replies.evaluation import suggestions


class Command(BaseCommand):
    help = "Measure suggested replies (top-1/top-3) on labelled mails held out from training."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(suggestions.format_result(suggestions.evaluate()))
