"""anliegen evaluate-repeat-contact: precision, recall and F1 of repeat-contact matching on a
generated, labelled example set (see anliegen.routing.evaluation)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from anliegen.routing import evaluation
from anliegen.routing.models import RoutingSettings


class Command(BaseCommand):
    help = "Measure repeat-contact matching (precision/recall/F1) on generated labelled examples."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--customers", type=int, default=200)
        parser.add_argument("--threshold", type=float, default=None,
                            help="Similarity threshold (default: the stored setting).")
        parser.add_argument("--sweep", action="store_true", help="Also print a threshold sweep.")

    def handle(self, *args: Any, **options: Any) -> None:
        threshold = options["threshold"]
        if threshold is None:
            try:
                threshold = RoutingSettings.load().repeat_min_score
            except Exception:  # no database yet: the shipped default
                threshold = RoutingSettings._meta.get_field("repeat_min_score").default
        examples = evaluation.generate(seed=options["seed"], customers=options["customers"])
        scores = evaluation.score_all(examples)
        result = evaluation.evaluate(examples, threshold, scores)
        self.stdout.write(
            f"examples: {result.examples} (same concern: {result.positives}, new concern: "
            f"{result.examples - result.positives}), threshold {threshold:.2f}")
        self.stdout.write(f"true positives {result.true_positives}, false positives {result.false_positives}, "
                          f"false negatives {result.false_negatives}")
        self.stdout.write(f"precision {result.precision:.3f}  recall {result.recall:.3f}  F1 {result.f1:.3f}")
        if options["sweep"]:
            for step in (5, 8, 10, 12, 15, 20, 25, 30):
                r = evaluation.evaluate(examples, step / 100, scores)
                self.stdout.write(f"  threshold {step / 100:.2f}: precision {r.precision:.3f} recall {r.recall:.3f} "
                                  f"F1 {r.f1:.3f}")
