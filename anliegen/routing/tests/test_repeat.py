"""Repeat contact across channels: new matching cases, reopened cases, chasers; escalation at
the Nth contact within the window, with the contacts listed."""

from anliegen import testing
from anliegen.phone.actions import log_call
from anliegen.routing import actions
from anliegen.routing.models import ContactKind, ContactLink, RepeatContact
from anliegen.tickets import actions as ticket_actions
from anliegen.tickets.models import Channel, Event, Level, Status

from .conftest import berlin

ROUTER = "Seit gestern blinkt die DSL-Lampe an meinem Router rot und ich habe kein Internet."


def mail_case(world, subject: str, text: str):
    return testing.make_ticket(team=world.support, customer=world.customer, subject=subject, text=text)


def test_it_links_a_call_to_an_open_mail_case_and_escalates_at_the_third_contact(world, second_level, clock) -> None:
    world.customer.phones.create(number="+4930123456")
    first = mail_case(world, "Router verbindet sich nicht", ROUTER)
    clock.advance(days=1)
    call = log_call(actor=world.agent, number="030 123456", team=world.support,
                    text="Kundin ruft an: Internet geht immer noch nicht, DSL-Lampe am Router rot.").ticket
    call.refresh_from_db()
    assert call.level == Level.FIRST
    repeat = RepeatContact.objects.get()
    assert repeat.root_ticket == first
    assert list(repeat.contacts.values_list("kind", "channel")) == [
        (ContactKind.FIRST, Channel.EMAIL), (ContactKind.NEW_CASE, Channel.PHONE)]
    clock.advance(days=2)
    third = mail_case(world, "Immer noch kein Internet", "Hallo, mein Router hat weiterhin kein Internet, DSL rot.")
    third.refresh_from_db()
    assert third.level == Level.SECOND
    assert third.team == second_level
    assert "repeat-contact" in third.tags.values_list("name", flat=True)
    event = Event.objects.get(ticket=third, field="level")
    assert event.actor_label == "routing"
    assert "3 times" in event.reason
    for number in (first.number, call.number, third.number):
        assert number in event.reason
    assert "Phone" in event.reason and "E-mail" in event.reason
    repeat.refresh_from_db()
    assert repeat.escalated_ticket == third


def test_it_does_not_link_another_concern(world, clock) -> None:
    mail_case(world, "Router verbindet sich nicht", ROUTER)
    clock.advance(days=1)
    mail_case(world, "Umzug", "Ich ziehe um und möchte meinen Anschluss an die neue Adresse mitnehmen.")
    mail_case(world, "Neue Bankverbindung", "Bitte buchen Sie künftig von meinem neuen Konto ab.")
    assert not ContactLink.objects.exists()


def test_it_counts_reopened_cases(world, second_level, clock) -> None:
    case = mail_case(world, "Zähler falsch", "Der Zählerstand im Portal ist falsch.")
    for day in (1, 3):
        ticket_actions.add_reply(ticket=case, author=world.agent, text="Korrigiert.", status=Status.SOLVED)
        clock.advance(days=day)
        ticket_actions.add_customer_message(ticket=case, customer=world.customer, text="Immer noch falsch!")
    case.refresh_from_db()
    assert case.level == Level.SECOND and case.team == second_level and case.status == Status.OPEN
    kinds = list(ContactLink.objects.filter(ticket=case).values_list("kind", flat=True))
    assert kinds == [ContactKind.FIRST, ContactKind.REOPENED, ContactKind.REOPENED]


def test_it_counts_chasers_but_not_answers(world, clock) -> None:
    case = mail_case(world, "App", "Ich kann mich nicht in der App anmelden.")
    clock.advance(minutes=30)
    ticket_actions.add_customer_message(ticket=case, customer=world.customer, text="Noch ein Screenshot.")
    assert not ContactLink.objects.exists()  # too soon: the same contact continued
    clock.advance(hours=6)
    ticket_actions.add_customer_message(ticket=case, customer=world.customer, text="Warum antwortet niemand?")
    assert list(ContactLink.objects.values_list("kind", flat=True)) == [ContactKind.FIRST, ContactKind.FOLLOW_UP]
    ticket_actions.add_reply(ticket=case, author=world.agent, text="Welche Version?", status=Status.PENDING)
    clock.advance(days=1)
    ticket_actions.add_customer_message(ticket=case, customer=world.customer, text="Version 2.1")
    assert ContactLink.objects.count() == 2  # answering our question is not coming back


def test_it_forgets_contacts_outside_the_window(world, clock) -> None:
    actions.update_routing_settings(data={"repeat_window_days": 10})
    case = mail_case(world, "Zähler falsch", "Der Zählerstand im Portal ist falsch.")
    ticket_actions.add_reply(ticket=case, author=world.agent, text="Korrigiert.", status=Status.SOLVED)
    clock.advance(days=8)
    ticket_actions.add_customer_message(ticket=case, customer=world.customer, text="Immer noch falsch.")
    ticket_actions.add_reply(ticket=case, author=world.agent, text="Korrigiert.", status=Status.SOLVED)
    clock.advance(days=8)
    ticket_actions.add_customer_message(ticket=case, customer=world.customer, text="Wieder falsch.")
    case.refresh_from_db()
    assert case.level == Level.FIRST  # three contacts, but only two within ten days
    assert ContactLink.objects.count() == 3


def test_it_follows_a_quoted_case_number(world, clock) -> None:
    first = mail_case(world, "Frage zur Rechnung", "Was ist Posten 4?")
    second = mail_case(world, "Nachfrage", f"Bezug: {first.number}. Bitte antworten Sie.")
    link = ContactLink.objects.get(ticket=second)
    assert link.score == 1.0 and link.repeat.root_ticket == first


def test_it_uses_the_configured_threshold(world, second_level, clock) -> None:
    actions.update_routing_settings(data={"repeat_threshold": 2})
    mail_case(world, "Router verbindet sich nicht", ROUTER)
    clock.advance(days=1)
    second = mail_case(world, "Router", "Router immer noch ohne Internet, DSL-Lampe rot.")
    second.refresh_from_db()
    assert second.level == Level.SECOND


def test_it_notes_a_repeat_on_a_case_already_at_second_level(world, second_level, clock) -> None:
    case = mail_case(world, "Zähler falsch", "Der Zählerstand im Portal ist falsch.")
    ticket_actions.escalate_ticket(ticket=case, reason="komplex", actor=world.agent)
    for _ in range(2):
        ticket_actions.add_reply(ticket=case, author=world.agent, text="Korrigiert.", status=Status.SOLVED)
        clock.advance(days=1)
        ticket_actions.add_customer_message(ticket=case, customer=world.customer, text="Immer noch falsch!")
    case.refresh_from_db()
    assert case.level == Level.SECOND and case.team == second_level
    assert case.messages.filter(kind="note", text__contains="Repeat contact").exists()


def test_it_keeps_the_threshold_setting_sane(world) -> None:
    import pytest

    from anliegen.tickets.actions import ActionError

    with pytest.raises(ActionError, match="at least two"):
        actions.update_routing_settings(data={"repeat_threshold": 1})


def test_it_stamps_contacts_with_the_message_time(world, clock) -> None:
    clock.set(berlin(2026, 12, 1, 10))
    case = mail_case(world, "App", "Ich kann mich nicht in der App anmelden.")
    clock.set(berlin(2026, 12, 2, 10))
    ticket_actions.add_customer_message(ticket=case, customer=world.customer, text="Hallo?")
    assert [link.at for link in ContactLink.objects.all()] == [berlin(2026, 12, 1, 10), berlin(2026, 12, 2, 10)]


def test_it_keeps_a_confidential_case_in_its_team(world, second_level, clock) -> None:
    case = testing.make_ticket(team=world.confidential, customer=world.customer, subject="Kostenübernahme",
                               text="Bitte Kostenübernahme prüfen.")
    for _ in range(2):
        ticket_actions.add_reply(ticket=case, author=world.confidential_member, text="Geprüft.", status=Status.SOLVED)
        clock.advance(days=1)
        ticket_actions.add_customer_message(ticket=case, customer=world.customer, text="Nicht richtig geprüft.")
    case.refresh_from_db()
    assert case.level == Level.SECOND and case.team == world.confidential
