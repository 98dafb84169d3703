"""Callback presets, the suggested callback time and "try again at" fall inside the team's
business hours (the calendar of its SLA policy, else of the policy for every team)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from anliegen.phone import actions
from anliegen.phone.views import callback_presets, next_try
from anliegen.routing import actions as routing_actions
from anliegen.routing.sla.compute import team_calendar
from anliegen.testing import PASSWORD

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def office_hours(world):
    """Technical support works Monday to Friday, 08:00-17:00; every other team 09:00-12:00."""
    support = routing_actions.save_calendar(name="Support", country="DE", subdivision="BE",
                                            hours_text="mon-fri 08:00-17:00", timezone_name="Europe/Berlin")
    short = routing_actions.save_calendar(name="Vormittags", country="DE", subdivision="BE",
                                          hours_text="mon-fri 09:00-12:00", timezone_name="Europe/Berlin")
    for name, calendar, team in (("Support", support, world.support), ("Alle", short, None)):
        routing_actions.save_policy(data={"name": name, "calendar": calendar, "team": team,
                                          "first_response_minutes": 120, "resolution_minutes": 480})
    return team_calendar(world.support)


def _local(value: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(value).replace(tzinfo=BERLIN)


def test_it_keeps_presets_that_fall_inside_the_hours(world, office_hours):
    wednesday = datetime.datetime(2026, 12, 2, 10, 0, tzinfo=BERLIN)
    presets = callback_presets(wednesday, world.support)
    assert presets[:2] == [("in 1 hour", "2026-12-02T11:00"), ("in 2 hours", "2026-12-02T12:00")]
    label, value = presets[2]
    assert label == f"next working day, {actions.format_when(_local(value))}" and value == "2026-12-03T08:00"


def test_it_moves_presets_after_closing_to_the_next_opening(world, office_hours):
    friday_evening = datetime.datetime(2026, 12, 4, 16, 30, tzinfo=BERLIN)
    presets = callback_presets(friday_evening, world.support)
    # "in 1 hour" would be 17:30, after closing: Monday 08:00 is offered once, saying so.
    assert presets == [(f"next opening, {actions.format_when(_local('2026-12-07T08:00'))}", "2026-12-07T08:00")]
    for _label, value in presets:
        assert office_hours.is_open(_local(value))


def test_it_uses_the_hours_for_every_team_when_a_team_has_none(world, office_hours):
    presets = callback_presets(datetime.datetime(2026, 12, 2, 10, 30, tzinfo=BERLIN), world.commercial)
    assert [value for _l, value in presets] == ["2026-12-02T11:30", "2026-12-03T09:00"]


def test_without_business_hours_presets_are_as_asked(world):
    presets = callback_presets(datetime.datetime(2026, 12, 5, 22, 0, tzinfo=BERLIN), world.support)
    assert [value for _l, value in presets] == ["2026-12-05T23:00", "2026-12-06T00:00", "2026-12-06T09:00"]


def test_it_suggests_the_next_try_inside_the_hours(world, office_hours):
    friday = datetime.datetime(2026, 12, 4, 16, 0, tzinfo=BERLIN)
    assert next_try(world.support, friday) == datetime.datetime(2026, 12, 7, 8, 0, tzinfo=BERLIN)
    assert next_try(world.support, friday.replace(hour=9)) == friday.replace(hour=11)


def test_the_callbacks_list_suggests_a_try_inside_the_hours(client, world, office_hours):
    # A callback due on a Friday afternoon at least a week ahead: "try again" is offered for
    # the next opening, not for the Friday evening.
    today = timezone.localdate()
    friday = today + datetime.timedelta(days=7 + (4 - today.weekday()) % 7)
    due = datetime.datetime.combine(friday, datetime.time(16, 0), BERLIN)
    actions.book_callback(ticket=world.ticket, due_at=due, actor=world.agent)
    client.login(username="anna", password=PASSWORD)
    response = client.get(reverse("phone:callbacks"))
    retry = response.context["callbacks"][0].retry_value
    suggested = _local(retry)
    assert suggested > due + datetime.timedelta(hours=2) and office_hours.is_open(suggested)
    assert suggested.time() == datetime.time(8, 0)
    assert f'value="{retry}"' in response.text


def test_the_case_panel_suggests_a_callback_time_inside_the_hours(client, world, office_hours):
    client.login(username="anna", password=PASSWORD)
    response = client.get(reverse("phone:case_callbacks", args=[world.ticket.number]))
    due = response.context["form"].initial["due_at"]
    assert office_hours.is_open(due) and due >= timezone.now()
