"""anliegen evaluate-language: accuracy of language detection by language, short vs long."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from anliegen.replies.evaluation import language


class Command(BaseCommand):
    help = "Measure language detection on German, Danish and English texts (short vs long)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--corpora", help="folder of the shared test corpora (default ../shared/corpora)")
        parser.add_argument("--limit", type=int, help="use at most this many texts per language")

    def handle(self, *args: Any, **options: Any) -> None:
        from pathlib import Path

        root = Path(options["corpora"]) if options["corpora"] else language.corpora_dir()
        if not (root / "tone").is_dir():
            raise CommandError(f"No test corpora in {root}; pass --corpora.")
        self.stdout.write(language.format_table(language.evaluate(root, options["limit"])))
