"""Business-hours arithmetic (pure): weekends, German and Danish holidays, DST, pauses, parsing."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from anliegen.routing.sla.calendar import (
    BusinessCalendar,
    CalendarError,
    NoOpeningHours,
    due_over_intervals,
    format_hours,
    holiday_checker,
    parse_hours,
)

BERLIN = ZoneInfo("Europe/Berlin")
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
WEEKDAYS_8_18 = parse_hours("mon-fri 08:00-18:00")


def at(y: int, m: int, d: int, h: int = 0, minute: int = 0, tz: ZoneInfo = BERLIN) -> datetime.datetime:
    return datetime.datetime(y, m, d, h, minute, tzinfo=tz)


def berlin() -> BusinessCalendar:
    return BusinessCalendar(hours=WEEKDAYS_8_18, tz=BERLIN, is_closed=holiday_checker("DE", "BE"))


def test_it_adds_within_a_day() -> None:
    assert berlin().add(at(2026, 11, 23, 9), 120) == at(2026, 11, 23, 11)


def test_it_starts_counting_at_opening_time() -> None:
    assert berlin().add(at(2026, 11, 23, 6), 30) == at(2026, 11, 23, 8, 30)
    assert berlin().add(at(2026, 11, 23, 19), 30) == at(2026, 11, 24, 8, 30)


def test_it_skips_the_weekend() -> None:
    # Friday 17:00 + 2 h: one hour on Friday, one on Monday.
    assert berlin().add(at(2026, 11, 27, 17), 120) == at(2026, 11, 30, 9)


def test_it_skips_german_christmas() -> None:
    # 24 Dec is a working day in Germany; 25 and 26 Dec are holidays, then the weekend.
    assert berlin().add(at(2026, 12, 24, 17), 120) == at(2026, 12, 28, 9)


def test_it_skips_danish_christmas_eve_when_asked() -> None:
    plain = BusinessCalendar(hours=WEEKDAYS_8_18, tz=COPENHAGEN, is_closed=holiday_checker("DK"))
    customary = BusinessCalendar(hours=WEEKDAYS_8_18, tz=COPENHAGEN, is_closed=holiday_checker("DK", optional=True))
    start = at(2026, 12, 23, 17, tz=COPENHAGEN)
    assert plain.add(start, 120) == at(2026, 12, 24, 9, tz=COPENHAGEN)
    assert customary.add(start, 120) == at(2026, 12, 28, 9, tz=COPENHAGEN)


def test_it_knows_state_holidays() -> None:
    # 6 January (Epiphany) is a holiday in Bavaria, not in Berlin.
    bavaria = BusinessCalendar(hours=WEEKDAYS_8_18, tz=BERLIN, is_closed=holiday_checker("DE", "BY"))
    assert bavaria.add(at(2026, 1, 6, 9), 60) == at(2026, 1, 7, 9)
    assert berlin().add(at(2026, 1, 6, 9), 60) == at(2026, 1, 6, 10)


def test_it_honours_extra_closing_days() -> None:
    calendar = BusinessCalendar(hours=WEEKDAYS_8_18, tz=BERLIN,
                                is_closed=holiday_checker("DE", "BE", closed_dates=[datetime.date(2026, 12, 24)]))
    assert calendar.add(at(2026, 12, 23, 17), 120) == at(2026, 12, 28, 9)


def test_it_keeps_opening_hours_across_daylight_saving() -> None:
    # Clocks go forward on Sunday 29 March 2026; Monday still opens at 08:00 local time.
    due = berlin().add(at(2026, 3, 27, 17), 120)
    assert due == at(2026, 3, 30, 9)
    assert due.utcoffset() is not None and due.astimezone(datetime.UTC).hour == 7


def test_it_counts_real_hours_over_the_daylight_saving_night() -> None:
    always = BusinessCalendar(hours=parse_hours("mon-sun 00:00-24:00"), tz=BERLIN)
    start = at(2026, 3, 28, 23, 30)  # 22:30 UTC
    due = always.add(start, 180)
    assert due.astimezone(datetime.UTC) == datetime.datetime(2026, 3, 29, 1, 30, tzinfo=datetime.UTC)
    assert always.minutes_between(start, due) == 180


def test_it_counts_minutes_between() -> None:
    calendar = berlin()
    assert calendar.minutes_between(at(2026, 11, 27, 16), at(2026, 11, 30, 10)) == 240
    assert calendar.minutes_between(at(2026, 12, 24, 12), at(2026, 12, 28, 12)) == 6 * 60 + 4 * 60
    assert calendar.minutes_between(at(2026, 11, 30, 10), at(2026, 11, 27, 16)) == 0


def test_it_adds_and_counts_consistently() -> None:
    calendar = berlin()
    start = at(2026, 12, 22, 15, 17)
    for minutes in (1, 59, 600, 601, 1234, 5000):
        assert calendar.minutes_between(start, calendar.add(start, minutes)) == pytest.approx(minutes)


def test_it_pauses_between_intervals() -> None:
    calendar = berlin()
    # Open Mon 9-11 (2 h), pending until Wed 9, open again: a 4 h target is due Wed 11:00.
    intervals = [(at(2026, 11, 23, 9), at(2026, 11, 23, 11)), (at(2026, 11, 25, 9), None)]
    assert due_over_intervals(calendar, intervals, 240) == at(2026, 11, 25, 11)
    # Still pending: no due time.
    assert due_over_intervals(calendar, intervals[:1], 240) is None
    # Reached inside the first stretch.
    assert due_over_intervals(calendar, intervals[:1], 60) == at(2026, 11, 23, 10)


def test_it_refuses_a_calendar_without_opening_hours() -> None:
    with pytest.raises(NoOpeningHours, match="no opening hours"):
        BusinessCalendar(hours={}, tz=BERLIN)
    with pytest.raises(NoOpeningHours, match="no opening hours"):
        parse_hours("# closed\n")


@pytest.mark.parametrize("text,message", [
    ("xyz 08:00-10:00", "weekday"),
    ("mon 18:00-08:00", "span of time"),
    ("mon 8-10", "08:00-18:00"),
    ("mon 08:00-12:00, 11:00-13:00", "overlap"),
    ("mon-fri 08:00-18:00\nfri 09:00-10:00", "twice"),
    ("fri-mon 08:00-10:00", "backwards"),
])
def test_it_explains_bad_opening_hours(text: str, message: str) -> None:
    with pytest.raises(CalendarError, match=message):
        parse_hours(text)


def test_it_formats_what_it_parses() -> None:
    text = "mon 08:00-12:00, 13:00-17:00\ntue 08:00-18:00\nsat 09:00-13:00"
    assert format_hours(parse_hours(text)) == text


def test_it_gives_up_on_a_calendar_that_never_opens() -> None:
    calendar = BusinessCalendar(hours=WEEKDAYS_8_18, tz=BERLIN, is_closed=lambda day: True)
    with pytest.raises(CalendarError):
        calendar.add(at(2026, 11, 23, 9), 60)
