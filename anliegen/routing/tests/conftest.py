"""Routing fixtures on top of the shared `world`: a second-level team, calendars, a policy."""

import datetime

import pytest

from anliegen import testing
from anliegen.accounts.models import TeamKind
from anliegen.routing import actions
from anliegen.routing.models import BusinessCalendarConfig, SLAPolicy


@pytest.fixture
def second_level(world):
    team = testing.make_team("Second Level", kind=TeamKind.SECOND_LEVEL)
    testing.make_agent("sven", teams=[team])
    return team


@pytest.fixture
def berlin_calendar(db) -> BusinessCalendarConfig:
    return actions.save_calendar(name="Berlin", country="DE", subdivision="BE", hours_text="mon-fri 08:00-18:00",
                                 timezone_name="Europe/Berlin")


@pytest.fixture
def copenhagen_calendar(db) -> BusinessCalendarConfig:
    return actions.save_calendar(name="København", country="DK", hours_text="mon-fri 08:00-18:00",
                                 timezone_name="Europe/Copenhagen", include_optional=True)


@pytest.fixture
def policy(world, berlin_calendar) -> SLAPolicy:
    """Support: first response within 2 business hours, resolution within 8."""
    return actions.save_policy(data={"name": "Support standard", "calendar": berlin_calendar, "team": world.support,
                                     "first_response_minutes": 120, "resolution_minutes": 480,
                                     "notify_lead": True, "raise_priority": True, "raise_level": True})


def berlin(y: int, m: int, d: int, h: int = 0, minute: int = 0) -> datetime.datetime:
    from zoneinfo import ZoneInfo

    return datetime.datetime(y, m, d, h, minute, tzinfo=ZoneInfo("Europe/Berlin"))


class Clock:
    """A frozen clock for the whole app: django.utils.timezone.now returns `now` until moved."""

    def __init__(self, now: datetime.datetime) -> None:
        self.now = now

    def __call__(self) -> datetime.datetime:
        return self.now

    def set(self, now: datetime.datetime) -> None:
        self.now = now

    def advance(self, **delta: float) -> datetime.datetime:
        self.now = self.now + datetime.timedelta(**delta)
        return self.now


@pytest.fixture
def clock():
    from unittest import mock

    frozen = Clock(berlin(2026, 11, 23, 9))
    with mock.patch("django.utils.timezone.now", side_effect=frozen):
        yield frozen
