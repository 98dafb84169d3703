"""Repeat-contact matching quality on the generated labelled set, and the command printing it.

Measured (seed 7, 200 customers, 929 examples, threshold 0.15): precision 0.958, recall 0.856,
F1 0.904. The floors below leave a little room for library updates, not for regressions."""

from io import StringIO

from django.core.management import call_command

from anliegen.routing import evaluation

PRECISION_FLOOR = 0.94
RECALL_FLOOR = 0.83


def test_it_generates_labelled_examples_of_both_kinds() -> None:
    examples = evaluation.generate(seed=7, customers=40)
    assert any(e.gold for e in examples) and any(not e.gold for e in examples)
    assert {e.query.channel for e in examples} == {"email", "phone"}
    assert evaluation.generate(seed=7, customers=40)[5].query.text == examples[5].query.text  # deterministic


def test_it_keeps_precision_and_recall_above_the_floor() -> None:
    examples = evaluation.generate(seed=7, customers=200)
    result = evaluation.evaluate(examples, 0.15)
    assert result.precision >= PRECISION_FLOOR, result
    assert result.recall >= RECALL_FLOOR, result


def test_it_prints_the_figures(db) -> None:
    out = StringIO()
    call_command("evaluate_repeat_contact", "--customers", "30", stdout=out)
    text = out.getvalue()
    assert "precision" in text and "recall" in text and "F1" in text and "threshold 0.15" in text
