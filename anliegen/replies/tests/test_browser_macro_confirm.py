"""A macro that sends the customer a reply shows the reply and the changes and asks to confirm,
on one case and in bulk (with the number of cases)."""

import pytest

from anliegen import testing
from anliegen.replies.tests.helpers import make_macro, make_reply
from anliegen.tickets.models import MessageKind, Status, Ticket
from conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_asks_before_a_macro_sends_a_reply_on_one_case(page, live_server, world):
    make_macro(world.lead, make_reply(world.lead), status=Status.SOLVED, add_tags=["erstattung"])
    login(page, live_server, "anna")
    page.wait_for_selector("nav.sidebar")
    page.goto(f"{live_server.url}/cases/{world.ticket.number}/")
    page.click("form.macro-form button:has-text('Erstattung zugesagt')")
    page.wait_for_selector("[data-macro-confirm]")
    assert "Guten Tag Erika Mustermann" in page.inner_text("[data-macro-reply]")
    changes = page.inner_text("[data-macro-changes]")
    assert "Status → Solved" in changes and "erstattung" in changes
    page.screenshot(path="/tmp/workflow-macro-confirm.png", full_page=True)
    assert not world.ticket.messages.filter(kind=MessageKind.REPLY).exists()
    # Cancel leaves the case as it was.
    page.click("text=Cancel")
    page.wait_for_selector("#id_reply_text")
    assert not world.ticket.messages.filter(kind=MessageKind.REPLY).exists()
    page.click("form.macro-form button:has-text('Erstattung zugesagt')")
    page.click("button:has-text('Send the reply and apply')")
    page.wait_for_selector("text=was applied and its reply sent")
    ticket = Ticket.objects.get(pk=world.ticket.pk)
    assert ticket.status == Status.SOLVED
    assert ticket.messages.filter(kind=MessageKind.REPLY).count() == 1


def test_it_asks_with_the_number_of_cases_before_a_bulk_macro_sends_replies(page, live_server, world):
    make_macro(world.lead, make_reply(world.lead), status=Status.SOLVED)
    second = testing.make_ticket(team=world.support, subject="Doppelt abgebucht")
    login(page, live_server, "anna")
    page.wait_for_selector("nav.sidebar")
    page.goto(f"{live_server.url}/queues/{world.support.slug}/")
    for ticket in (world.ticket, second):
        page.check(f"tr[data-case='{ticket.number}'] input[name=tickets]")
    page.click("button:has-text('Apply a macro')")
    page.select_option("#id_macro", label="Erstattung zugesagt")
    page.click("form.stack button[type=submit]")
    page.wait_for_selector("[data-macro-count]")
    assert "customers of 2 cases" in page.inner_text("[data-macro-count]")
    assert "Status → Solved" in page.inner_text("[data-macro-changes]")
    page.screenshot(path="/tmp/workflow-macro-bulk-confirm.png", full_page=True)
    assert not Ticket.objects.filter(messages__kind=MessageKind.REPLY).exists()
    page.click("button:has-text('Send the reply and apply to 2 cases')")
    page.wait_for_selector("#bulk-result")
    assert "was applied to 2 cases" in page.inner_text("#bulk-result")
    for ticket in (world.ticket, second):
        assert Ticket.objects.get(pk=ticket.pk).messages.filter(kind=MessageKind.REPLY).count() == 1
