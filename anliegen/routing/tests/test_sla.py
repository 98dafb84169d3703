"""SLA policies, due times per case, pauses while pending, breaches and their escalation (once)."""

import datetime

import pytest

from anliegen import testing
from anliegen.customers.models import Organisation
from anliegen.routing import actions
from anliegen.routing.models import CaseSLA, Segment
from anliegen.routing.sla.compute import check_sla_breaches, policy_for
from anliegen.tickets import actions as ticket_actions
from anliegen.tickets.actions import ActionError
from anliegen.tickets.models import Level, Message, MessageKind, Status

from .conftest import berlin


def test_it_sets_due_times_on_a_new_case(world, policy, clock) -> None:
    clock.set(berlin(2026, 11, 27, 16))  # Friday 16:00
    ticket = testing.make_ticket(team=world.support, customer=world.customer, text="Neu")
    sla = CaseSLA.objects.get(ticket=ticket)
    assert sla.policy == policy
    assert sla.first_response_due == berlin(2026, 11, 27, 18)  # 2 h: Friday 16-18
    assert sla.resolution_due == berlin(2026, 11, 30, 14)  # 8 h: Friday 2 h + Monday 08-14


def test_it_chooses_the_most_specific_policy(world, policy, berlin_calendar) -> None:
    urgent = actions.save_policy(data={"name": "Urgent", "calendar": berlin_calendar, "team": world.support,
                                       "priority": 4, "first_response_minutes": 30, "resolution_minutes": 240})
    business = actions.save_policy(data={"name": "Business", "calendar": berlin_calendar, "segment": Segment.BUSINESS,
                                         "first_response_minutes": 60, "resolution_minutes": 240})
    ticket = testing.make_ticket(team=world.support, customer=world.customer, text="x1")
    assert policy_for(ticket) == policy
    ticket_actions.set_priority(ticket=ticket, priority=4, actor=world.agent)
    assert CaseSLA.objects.get(ticket=ticket).policy == urgent
    world.other_customer.organisation = Organisation.objects.create(name="Firma")
    world.other_customer.save()
    elsewhere = testing.make_ticket(team=world.commercial, customer=world.other_customer, text="x2")
    assert CaseSLA.objects.get(ticket=elsewhere).policy == business


def test_it_pauses_while_waiting_for_the_customer(world, policy, clock) -> None:
    ticket = testing.make_ticket(team=world.support, customer=world.customer, text="Neu")  # Mon 09:00
    clock.set(berlin(2026, 11, 23, 10))
    ticket_actions.add_reply(ticket=ticket, author=world.agent, text="Welche Modellnummer?", status=Status.PENDING)
    sla = CaseSLA.objects.get(ticket=ticket)
    assert sla.paused and sla.resolution_due is None
    assert sla.first_response_due == berlin(2026, 11, 23, 11)
    clock.set(berlin(2026, 11, 25, 9))  # the customer answers on Wednesday
    ticket_actions.add_customer_message(ticket=ticket, customer=world.customer, text="Modell X")
    sla.refresh_from_db()
    assert not sla.paused
    # 1 h spent on Monday, 7 h left from Wednesday 09:00.
    assert sla.resolution_due == berlin(2026, 11, 25, 16)


def test_it_stops_when_solved(world, policy, clock) -> None:
    ticket = testing.make_ticket(team=world.support, customer=world.customer, text="Neu")
    ticket_actions.add_reply(ticket=ticket, author=world.agent, text="Erledigt", status=Status.SOLVED)
    clock.advance(days=5)
    assert check_sla_breaches() == 0
    assert CaseSLA.objects.get(ticket=ticket).resolution_breached_at is None


def test_it_escalates_a_breach_exactly_once(world, policy, clock) -> None:
    ticket = testing.make_ticket(team=world.support, customer=world.customer, text="Neu")  # Mon 09:00
    clock.set(berlin(2026, 11, 23, 11, 1))
    assert check_sla_breaches() == 1  # first response
    ticket.refresh_from_db()
    assert ticket.priority == 3 and ticket.level == Level.SECOND
    note = Message.objects.get(ticket=ticket, kind=MessageKind.NOTE)
    assert "first response" in note.text and "Lena" in note.text
    assert check_sla_breaches() == 0
    clock.set(berlin(2026, 11, 23, 16, 59))
    assert check_sla_breaches() == 0  # the resolution is due at 17:00 (8 h from 09:00)
    clock.set(berlin(2026, 11, 23, 17, 1))
    assert check_sla_breaches() == 1
    ticket.refresh_from_db()
    assert ticket.priority == 4 and ticket.level == Level.LEAD
    assert check_sla_breaches() == 0
    sla = CaseSLA.objects.get(ticket=ticket)
    assert sla.first_response_breached_at == berlin(2026, 11, 23, 11, 1)
    assert sla.resolution_breached_at == berlin(2026, 11, 23, 17, 1)


def test_it_recomputes_when_priority_changes_after_breach(world, policy, clock) -> None:
    ticket = testing.make_ticket(team=world.support, customer=world.customer, text="Neu")
    clock.set(berlin(2026, 11, 23, 17, 30))
    assert check_sla_breaches() == 2  # first response and resolution at once
    ticket.refresh_from_db()
    assert ticket.level == Level.SECOND and ticket.priority == 3  # one escalation for both
    clock.advance(hours=1)
    assert check_sla_breaches() == 0


def test_it_skips_rows_that_fail(world, policy, clock, monkeypatch, caplog) -> None:
    good = testing.make_ticket(team=world.support, customer=world.customer, text="a")
    bad = testing.make_ticket(team=world.support, customer=world.other_customer, text="b")
    from anliegen.routing.sla import compute

    real = compute._handle_breach

    def flaky(pk: int, now: datetime.datetime) -> int:
        if CaseSLA.objects.get(pk=pk).ticket_id == bad.pk:
            raise RuntimeError("broken row")
        return real(pk, now)

    monkeypatch.setattr(compute, "_handle_breach", flaky)
    clock.advance(days=2)
    assert check_sla_breaches() == 2
    assert "broken row" in caplog.text
    assert CaseSLA.objects.get(ticket=good).resolution_breached_at is not None
    assert CaseSLA.objects.get(ticket=bad).resolution_breached_at is None


def test_it_refuses_bad_policies_and_calendars(world, berlin_calendar) -> None:
    with pytest.raises(ActionError, match="after the resolution"):
        actions.save_policy(data={"name": "x", "calendar": berlin_calendar, "first_response_minutes": 600,
                                  "resolution_minutes": 60})
    with pytest.raises(ActionError, match="no opening hours"):
        actions.save_calendar(name="Empty", country="DE", hours_text="")
    with pytest.raises(ActionError, match="not a state"):
        actions.save_calendar(name="X", country="DE", subdivision="XX", hours_text="mon 08:00-10:00")
    with pytest.raises(ActionError, match="time zone"):
        actions.save_calendar(name="X", country="DK", hours_text="mon 08:00-10:00", timezone_name="Mars/Base")
