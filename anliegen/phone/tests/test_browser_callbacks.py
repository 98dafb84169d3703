"""An agent books a callback from the case view's panel and works it from the callbacks list,
all through htmx (no page reloads)."""

import datetime

import pytest
from django.utils import timezone

from anliegen.phone.models import Callback, CallbackStatus
from conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_lets_an_agent_book_and_work_a_callback(page, live_server, world, known_number):
    login(page, live_server, "anna")
    page.goto(f"{live_server.url}/cases/{world.ticket.number}/")
    page.click("text=Book a callback")
    due = timezone.localtime(timezone.now() + datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#cb_due_at", due)
    page.fill("#cb_note", "Nach der Arbeit anrufen")
    page.click("button:has-text('Book callback')")
    page.wait_for_selector(".callback-list >> text=Nach der Arbeit anrufen")
    callback = Callback.objects.get()
    assert callback.ticket == world.ticket and callback.team == world.support

    page.click(".sidebar >> text=Callbacks")
    row = page.locator(f"#callback-{callback.pk}")
    row.locator("input[name=note]").fill("Mailbox")
    row.locator("button[value=retry]").click()
    page.wait_for_selector(f"#callback-{callback.pk}.closed")
    follow_up = Callback.objects.get(previous=callback)
    page.wait_for_selector(f"#callback-{follow_up.pk}")
    assert follow_up.status == CallbackStatus.OPEN and follow_up.attempts == 1
    page.locator(f"#callback-{follow_up.pk} button[value=reached]").click()
    page.wait_for_selector(f"#callback-{follow_up.pk}.closed")
    follow_up.refresh_from_db()
    assert follow_up.outcome == "reached" and follow_up.done_by == world.agent
