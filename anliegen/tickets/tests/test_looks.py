"""Looks like a product: SVG icons instead of emoji, a favicon, dates in the department's
convention, the case view's side column ordered by use and foldable."""

import datetime
import re
from pathlib import Path

from django.urls import reverse
from django.utils import formats, translation
from django.contrib.staticfiles import finders

ROOT = Path(__file__).resolve().parents[2]
EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF\u2B50]")  # emoji and dingbats; arrows are text


def test_it_ships_no_emoji_in_templates_or_code():
    found = []
    for path in ROOT.rglob("*"):
        if path.suffix not in (".html", ".py", ".js", ".txt") or "tests" in path.parts or "locale" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if EMOJI.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}")
    assert found == []


def test_it_offers_a_favicon(anna, world):
    page = anna.get(reverse("tickets:mine")).text
    assert re.search(r'<link rel="icon" href="/static/anliegen/favicon[^"]*\.svg"', page)
    response = anna.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith(".svg")
    assert finders.find("anliegen/favicon.svg")


def test_it_writes_dates_day_first_and_24_hour_in_every_language():
    moment = datetime.datetime(2026, 3, 4, 15, 7)
    for language in ("en", "de", "da"):
        with translation.override(language):
            assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "04.03.2026 15:07", language
            assert formats.date_format(moment, "SHORT_DATE_FORMAT") == "04.03.2026", language
    with translation.override("en"):
        assert formats.date_format(moment, "DATE_FORMAT") == "4 March 2026"


def test_it_orders_the_side_column_by_use_and_lets_boxes_fold(anna, world):
    page = anna.get(reverse("tickets:case", args=[world.ticket.number])).text
    boxes = re.findall(r'<details data-remember="side-([\w-]+)"( open)?', page)
    names = [name for name, _open in boxes]
    assert names[:2] == ["case", "customer"]
    assert names.index("replies") < names.index("tags") < names.index("escalate") < names.index("merge")
    assert dict(boxes)["merge"] == ""  # merging is rare: folded until needed
    assert '<h1><span class="muted case-number">' in page
