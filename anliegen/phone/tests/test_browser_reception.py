"""Reception logs a call for a known number and hands it to technical support; an agent of that
team then finds the case in the team queue."""

import pytest
from django.utils import timezone

from anliegen.tickets.models import Channel, Ticket
from conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_hands_a_call_from_reception_to_the_team_queue(page, new_page, live_server, world, receptionist, known_number):
    login(page, live_server, "petra")
    page.click("text=Log a call")
    page.wait_for_selector("#id_number:focus")
    page.keyboard.type("+49 30 1234567")
    page.wait_for_selector("#caller .caller.known")
    # Reception works none of Erika's cases: the number is known, her details are not shown.
    assert "a known customer" in page.inner_text("#caller") and "Erika Mustermann" not in page.inner_text("#caller")
    assert world.ticket.number in page.inner_text("#caller")  # her open case is offered
    page.fill("#id_note", "WLAN bricht jeden Abend ab\nKundin hat den Router schon neu gestartet.")
    page.select_option("#id_team", label=world.support.name)
    page.select_option("#id_assignee", label="Tom")
    page.click("text=in 2 hours")  # a callback promised in the same form
    page.focus("#id_note")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector(".flash-success")
    flash = page.inner_text(".flash")
    ticket = Ticket.objects.get(channel=Channel.PHONE)
    assert f"new case {ticket.number}" in flash and world.support.name in flash
    assert ticket.team == world.support and ticket.assignee == world.teammate
    assert ticket.subject == "Phone call from Erika Mustermann"  # not cut from the note
    callback = ticket.callbacks.get()
    assert callback.agent == world.teammate
    assert abs((callback.due_at - timezone.now()).total_seconds() - 7200) < 180
    # Ready for the next call: the number field is empty and focused again.
    assert page.input_value("#id_number") == ""

    agent = new_page()
    login(agent, live_server, "anna")
    agent.click(f".sidebar >> text={world.support.name}")
    agent.wait_for_selector(f"text={ticket.subject}")
    agent.click(f"text={ticket.subject}")
    agent.wait_for_selector("#conversation")
    assert "Kundin hat den Router schon neu gestartet." in agent.inner_text("#conversation")
    # The journey panel loads in the side column and shows the call as a phone contact.
    agent.wait_for_selector("ol.journey .channel-phone")
