"""Accuracy floors measured with `anliegen evaluate-language` (see the report in the issue):
da short 95.9%, da long 99.6%, de short 95.3%, de long 99.3%, en short 100%, en long 100%."""

from io import StringIO

import pytest
from django.core.management import call_command

from anliegen.replies.evaluation import language as evaluation

needs_corpora = pytest.mark.skipif(not (evaluation.corpora_dir() / "tone").is_dir(),
                                   reason="shared test corpora not available")

FLOORS = {("da", "short"): 0.94, ("da", "long"): 0.99, ("de", "short"): 0.93, ("de", "long"): 0.985,
          ("en", "short"): 0.97, ("en", "long"): 0.97}


@needs_corpora
def test_it_meets_the_measured_accuracy_floors():
    table = evaluation.evaluate()
    for key, floor in FLOORS.items():
        assert table[key].total >= 90, key
        assert table[key].accuracy >= floor, (key, table[key].accuracy)


def test_it_has_at_least_200_english_samples_of_both_lengths():
    english = evaluation.samples.__globals__["_english"]()
    assert len(english) >= 200
    assert sum(len(t) < 40 for t in english) >= 90
    assert sum(len(t) >= 40 for t in english) >= 90


@needs_corpora
def test_it_prints_the_table():
    out = StringIO()
    call_command("evaluate_language", "--limit", "300", stdout=out)
    text = out.getvalue()
    assert "da        short" in text and "de        long" in text and "en        short" in text
    assert "all       short" in text
