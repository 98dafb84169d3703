"""Business-hours arithmetic, pure: no database, no settings. A BusinessCalendar knows the
opening hours per weekday, which days are closed (public holidays, company closing days) and
its time zone; it adds business minutes to a moment and counts business minutes between two.

Opening hours are minutes after local midnight (480 = 08:00, 1440 = midnight at the end of the
day), so a day can be open around the clock. All arithmetic on absolute time happens in UTC, so
daylight-saving changes never stretch or shrink an hour."""

import datetime
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

UTC = datetime.UTC
# However sparse the calendar, a due time further away than this is a configuration error.
MAX_DAYS = 3 * 366
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

Span = tuple[int, int]  # (start minute, end minute) within a local day


class CalendarError(ValueError):
    """The calendar cannot be used as configured (the message is for the user)."""


class NoOpeningHours(CalendarError):
    pass


def no_holidays(day: datetime.date) -> bool:
    return False


@dataclass(frozen=True)
class BusinessCalendar:
    hours: Mapping[int, Sequence[Span]]  # weekday (0 = Monday) → open spans
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Berlin"))
    is_closed: Callable[[datetime.date], bool] = no_holidays

    def __post_init__(self) -> None:
        if not any(end > start for spans in self.hours.values() for start, end in spans):
            raise NoOpeningHours("The calendar has no opening hours: open it on at least one weekday.")

    def _spans(self, day: datetime.date) -> Iterator[tuple[datetime.datetime, datetime.datetime]]:
        """The open spans of one local day as UTC moments, in order."""
        if self.is_closed(day):
            return
        midnight = datetime.datetime.combine(day, datetime.time(0), self.tz)
        for start, end in sorted(self.hours.get(day.weekday(), ())):
            if end <= start:
                continue
            yield _utc(midnight, start, self.tz), _utc(midnight, end, self.tz)

    def _days_from(self, moment: datetime.datetime) -> Iterator[datetime.date]:
        day = moment.astimezone(self.tz).date() - datetime.timedelta(days=1)  # spans may start the day before in UTC
        for offset in range(MAX_DAYS):
            yield day + datetime.timedelta(days=offset)

    def add(self, start: datetime.datetime, minutes: float) -> datetime.datetime:
        """The moment `minutes` business minutes after `start` (UTC)."""
        start = _as_utc(start)
        if minutes <= 0:
            return start
        remaining = datetime.timedelta(minutes=minutes)
        for day in self._days_from(start):
            for open_at, close_at in self._spans(day):
                if close_at <= start:
                    continue
                begin = max(open_at, start)
                available = close_at - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        raise CalendarError(f"The calendar has no open time within {MAX_DAYS} days of {start:%Y-%m-%d}.")

    def minutes_between(self, start: datetime.datetime, end: datetime.datetime) -> float:
        """Business minutes in [start, end); 0 when end is not after start."""
        start, end = _as_utc(start), _as_utc(end)
        if end <= start:
            return 0.0
        total = datetime.timedelta(0)
        for day in self._days_from(start):
            if datetime.datetime.combine(day, datetime.time(0), UTC) > end + datetime.timedelta(days=1):
                break
            for open_at, close_at in self._spans(day):
                overlap = min(close_at, end) - max(open_at, start)
                if overlap > datetime.timedelta(0):
                    total += overlap
        return total.total_seconds() / 60

    def next_open(self, moment: datetime.datetime) -> datetime.datetime:
        """moment itself if the calendar is open then, else the start of its next open span (UTC)."""
        moment = _as_utc(moment)
        for day in self._days_from(moment):
            for open_at, close_at in self._spans(day):
                if close_at > moment:
                    return max(open_at, moment)
        raise CalendarError(f"The calendar has no open time within {MAX_DAYS} days of {moment:%Y-%m-%d}.")

    def is_open(self, moment: datetime.datetime) -> bool:
        moment = _as_utc(moment)
        local_day = moment.astimezone(self.tz).date()
        return any(a <= moment < b for a, b in self._spans(local_day))


def due_over_intervals(calendar: BusinessCalendar,
                       intervals: Sequence[tuple[datetime.datetime, datetime.datetime | None]],
                       minutes: float) -> datetime.datetime | None:
    """When `minutes` business minutes have been spent, counting only inside the given
    intervals (the stretches a case was not paused). The last interval may be open (None:
    still running). None when the intervals end before the target is reached (paused)."""
    spent = 0.0
    for start, end in intervals:
        if end is None:
            return calendar.add(start, minutes - spent)
        here = calendar.minutes_between(start, end)
        if spent + here >= minutes:
            return calendar.add(start, minutes - spent)
        spent += here
    return None


def _as_utc(moment: datetime.datetime) -> datetime.datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to a business calendar")
    return moment.astimezone(UTC)


def _utc(midnight: datetime.datetime, minute: int, tz: ZoneInfo) -> datetime.datetime:
    # Wall-clock arithmetic in the calendar's zone (08:00 stays 08:00 on DST days), then UTC.
    if minute >= 1440:
        next_day = midnight.date() + datetime.timedelta(days=1)
        return datetime.datetime.combine(next_day, datetime.time(0), tz).astimezone(UTC)
    local = datetime.datetime.combine(midnight.date(), datetime.time(minute // 60, minute % 60), tz)
    return local.astimezone(UTC)


# --- Opening hours as text: "mon-fri 08:00-18:00", "sat 09:00-13:00" ---------------------------

_LINE = re.compile(r"^\s*([a-z]{3})(?:\s*-\s*([a-z]{3}))?\s+(.+)$")
_SPAN = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")


def parse_hours(text: str) -> dict[int, list[Span]]:
    """Parse one line per weekday or weekday range: "mon-fri 08:00-12:00, 13:00-17:00".
    Raises CalendarError naming the line that is wrong."""
    hours: dict[int, list[Span]] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().lower()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if not match or match.group(1) not in WEEKDAYS or (match.group(2) and match.group(2) not in WEEKDAYS):
            raise CalendarError(f"Line {number}: start with a weekday (mon … sun) or a range like mon-fri.")
        first = WEEKDAYS.index(match.group(1))
        last = WEEKDAYS.index(match.group(2)) if match.group(2) else first
        if last < first:
            raise CalendarError(f"Line {number}: the weekday range runs backwards.")
        spans: list[Span] = []
        for part in match.group(3).split(","):
            span = _SPAN.match(part.strip())
            if not span:
                raise CalendarError(f"Line {number}: write times as 08:00-18:00.")
            h1, m1, h2, m2 = (int(g) for g in span.groups())
            start, end = h1 * 60 + m1, h2 * 60 + m2
            if h1 > 23 or m1 > 59 or m2 > 59 or end > 1440 or end <= start:
                raise CalendarError(f"Line {number}: {part.strip()} is not a span of time within one day.")
            spans.append((start, end))
        spans.sort()
        for (_s1, e1), (s2, _e2) in zip(spans, spans[1:], strict=False):
            if s2 < e1:
                raise CalendarError(f"Line {number}: the opening times overlap.")
        for weekday in range(first, last + 1):
            if weekday in hours:
                raise CalendarError(f"Line {number}: {WEEKDAYS[weekday]} is given twice.")
            hours[weekday] = spans
    if not any(hours.values()):
        raise NoOpeningHours("The calendar has no opening hours: add a line such as mon-fri 08:00-18:00.")
    return hours


def format_hours(hours: Mapping[int, Sequence[Span]]) -> str:
    lines = []
    for weekday in range(7):
        spans = hours.get(weekday) or ()
        if spans:
            times = ", ".join(f"{s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}" for s, e in spans)
            lines.append(f"{WEEKDAYS[weekday]} {times}")
    return "\n".join(lines)


def holiday_checker(country: str, subdivision: str = "", *, optional: bool = False,
                    closed_dates: Sequence[datetime.date] = ()) -> Callable[[datetime.date], bool]:
    """A closed-day test from the holidays package (e.g. DE with state BY, or DK), plus any
    extra dates the company closes. `optional` adds days like Christmas Eve in Denmark."""
    import holidays

    categories = ("public", "optional") if optional and "optional" in _categories(country) else ("public",)
    calendar = holidays.country_holidays(country, subdiv=subdivision or None, categories=categories)
    extra = frozenset(closed_dates)

    def closed(day: datetime.date) -> bool:
        return day in extra or day in calendar

    return closed


def _categories(country: str) -> tuple[str, ...]:
    import holidays

    return tuple(getattr(holidays.country_holidays(country), "supported_categories", ("public",)))
