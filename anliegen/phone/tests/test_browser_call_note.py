"""In the browser: reception logs a call with a subject and a summary for the customer; the
agent sees a call note and corrects the subject; the customer sees "Phone call on <date>" with
the summary, never the note."""

import pytest

from anliegen.portal.actions import issue_sign_in_link
from anliegen.tickets.models import Channel, Ticket
from conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTE = "Kundin verärgert, Router startet ständig neu. Seriennummer 4711."


def test_a_call_note_is_the_agents_and_the_portal_shows_a_phone_call(page, new_page, live_server, world,
                                                                    receptionist, known_number):
    login(page, live_server, "petra")
    page.click("text=Log a call")
    page.wait_for_selector("#id_number:focus")
    page.keyboard.type("+49 30 1234567")
    page.wait_for_selector("#caller .caller.known")
    page.fill("#id_note", NOTE)
    page.select_option("#id_team", label=world.support.name)
    page.fill("#id_summary", "Wir schicken Ihnen einen neuen Router.")
    page.screenshot(path="/tmp/outmail-log-call.png", full_page=True)
    page.click("button[name=open]")
    page.wait_for_selector(".flash-success")
    ticket = Ticket.objects.get(channel=Channel.PHONE)
    assert ticket.subject == "Phone call from Erika Mustermann"

    page = new_page()  # the agent of the team the call was handed to
    login(page, live_server, "anna")
    page.wait_for_selector("nav.sidebar")
    page.goto(f"{live_server.url}/cases/{ticket.number}/")
    header = " ".join(page.inner_text("#conversation article header").split())
    assert header.startswith("Call note · Phone · Petra · call with Erika Mustermann")

    page.click("#edit-subject summary")
    page.fill("#edit-subject input[name=subject]", "Router startet ständig neu")
    page.click("#edit-subject button")
    page.wait_for_selector("text=The subject was changed.")
    assert "Router startet ständig neu" in page.inner_text("h1")
    page.screenshot(path="/tmp/outmail-call-case.png", full_page=True)
    assert Ticket.objects.get(pk=ticket.pk).subject == "Router startet ständig neu"

    customer = new_page()
    token = issue_sign_in_link(customer=world.customer, email="erika@example.org")
    customer.goto(f"{live_server.url}/portal/enter/{token}/")
    customer.click("#enter-portal")
    customer.goto(f"{live_server.url}/portal/cases/{ticket.number}/")
    conversation = customer.inner_text("#conversation")
    # Erika reads the portal in German: "Telefonat am <date>" ("Phone call on <date>").
    assert "Telefonat am" in conversation and "Wir schicken Ihnen einen neuen Router." in conversation
    assert "Seriennummer" not in customer.content() and "Sie" not in conversation.split()
    customer.screenshot(path="/tmp/outmail-call-portal.png", full_page=True)
