"""Quality-Care: long-standing customers with a complaint or a repeat contact get a second-level
callback (phone app, kind quality_care) within the target time."""

import datetime

from anliegen import testing
from anliegen.phone.actions import record_callback_outcome
from anliegen.phone.models import Callback
from anliegen.routing import actions
from anliegen.routing.models import QualityCare
from anliegen.routing.quality import retry_bookings
from anliegen.tickets import actions as ticket_actions
from anliegen.tickets.models import Level, Status

from .conftest import berlin


def loyal(world, years: int = 8):
    world.customer.customer_since = datetime.date(2026 - years, 1, 1)
    world.customer.save()
    return world.customer


def test_it_books_a_callback_for_a_long_standing_customers_complaint(world, second_level, clock) -> None:
    loyal(world)
    ticket = testing.make_ticket(team=world.support, customer=world.customer, subject="Beschwerde",
                                 text="45 Minuten in der Warteschleife, das ist unzumutbar.")
    ticket.refresh_from_db()
    flag = QualityCare.objects.get(ticket=ticket)
    assert "8 years" in flag.reason and "complaint" in flag.reason
    assert "quality-care" in ticket.tags.values_list("name", flat=True)
    assert ticket.level == Level.SECOND and ticket.team == second_level
    callback = Callback.objects.get(ticket=ticket)
    assert callback.kind == "quality_care" and callback.team == second_level
    assert callback.due_at == clock.now + datetime.timedelta(hours=24)  # no SLA calendar: plain hours
    assert flag.callback_ref == callback.pk and flag.callback_due_at == callback.due_at


def test_it_counts_the_target_in_business_hours(world, second_level, berlin_calendar, clock) -> None:
    actions.save_policy(data={"name": "All", "calendar": berlin_calendar, "first_response_minutes": 60,
                              "resolution_minutes": 600})
    actions.update_routing_settings(data={"quality_care_hours": 4})
    loyal(world)
    clock.set(berlin(2026, 12, 24, 16))  # Thursday before Christmas
    ticket = testing.make_ticket(team=world.support, customer=world.customer, subject="Reklamation",
                                 text="Ich bin sehr unzufrieden.", tags=["complaint"])
    # 2 h on Thursday, then the holidays and the weekend, 2 h on Monday.
    assert Callback.objects.get(ticket=ticket).due_at == berlin(2026, 12, 28, 10)


def test_it_ignores_new_customers_and_ordinary_cases(world, second_level, clock) -> None:
    loyal(world, years=2)
    testing.make_ticket(team=world.support, customer=world.customer, subject="Beschwerde", text="Unzumutbar!")
    loyal(world, years=9)
    testing.make_ticket(team=world.support, customer=world.customer, subject="Frage", text="Wie geht das?")
    assert not QualityCare.objects.exists() and not Callback.objects.exists()


def test_it_flags_a_repeat_contact_and_a_complaint_tag_added_later(world, second_level, clock) -> None:
    loyal(world)
    case = testing.make_ticket(team=world.support, customer=world.customer, subject="Zähler",
                               text="Der Zählerstand ist falsch.")
    ticket_actions.add_reply(ticket=case, author=world.agent, text="Korrigiert.", status=Status.SOLVED)
    clock.advance(days=1)
    ticket_actions.add_customer_message(ticket=case, customer=world.customer, text="Immer noch falsch.")
    assert "2 times" in QualityCare.objects.get(ticket=case).reason
    other = testing.make_ticket(team=world.support, customer=world.other_customer, subject="Hej", text="Hej")
    world.other_customer.customer_since = datetime.date(2010, 5, 1)
    world.other_customer.save()
    ticket_actions.tag_ticket(ticket=other, add=["complaint"], actor=world.agent)
    assert QualityCare.objects.filter(ticket=other).exists()


def test_it_keeps_the_flag_and_retries_when_booking_fails(world, clock) -> None:
    loyal(world)  # no second-level team yet
    ticket = testing.make_ticket(team=world.support, customer=world.customer, subject="Beschwerde", text="Unzumutbar")
    flag = QualityCare.objects.get(ticket=ticket)
    assert flag.callback_ref is None and "no second-level team" in flag.booking_error
    from anliegen.accounts.models import TeamKind

    testing.make_team("Second Level", kind=TeamKind.SECOND_LEVEL)
    assert retry_bookings() == 1
    flag.refresh_from_db()
    assert flag.callback_ref and not flag.booking_error
    assert retry_bookings() == 0


def test_it_lets_second_level_close_the_callback(world, second_level, clock) -> None:
    loyal(world)
    ticket = testing.make_ticket(team=world.support, customer=world.customer, subject="Beschwerde", text="Unzumutbar")
    callback = Callback.objects.get(ticket=ticket)
    clock.advance(hours=3)
    record_callback_outcome(callback=callback, outcome="reached", note="Entschuldigt, Gutschrift", actor=world.lead)
    callback.refresh_from_db()
    assert callback.status == "done" and callback.outcome == "reached"


def test_it_keeps_a_confidential_case_in_its_team(world, second_level, clock) -> None:
    loyal(world)
    ticket = testing.make_ticket(team=world.confidential, customer=world.customer, subject="Beschwerde",
                                 text="Unzumutbar, wie meine Behandlung abgelehnt wurde.")
    ticket.refresh_from_db()
    assert ticket.level == Level.SECOND and ticket.team == world.confidential
    assert Callback.objects.get(ticket=ticket).team == world.confidential
