"""Reception sees the cases it logged and the callbacks it booked for a configurable period
(ANLIEGEN_RECEPTION_FOLLOW_DAYS, default 14), and "Log call and open the case" opens the case."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from anliegen.phone import actions
from anliegen.testing import PASSWORD
from anliegen.tickets.models import Channel, Message, Ticket
from conftest import login


@pytest.fixture
def petra(client, receptionist):
    client.login(username="petra", password=PASSWORD)
    return receptionist


def _log(petra, world, known_number, **kwargs):
    return actions.log_call(actor=petra, number=known_number, text="Router blinkt rot.", team=world.support,
                            customer=world.customer, **kwargs)


def test_it_opens_the_case_reception_just_logged(client, petra, world, known_number):
    response = client.post(reverse("phone:log_call"), {
        "number": known_number, "case": "new", "note": "Router blinkt rot.", "team": world.support.pk, "open": "1"})
    ticket = Ticket.objects.get(channel=Channel.PHONE)
    assert response.status_code == 302 and response.url == reverse("tickets:case", args=[ticket.number])
    assert client.get(response.url).status_code == 200


def test_it_lists_the_calls_and_callbacks_of_the_follow_period(client, petra, world, known_number):
    call = _log(petra, world, known_number, callback_at=timezone.now() + datetime.timedelta(hours=3))
    page = client.get(reverse("phone:my_calls"))
    assert page.status_code == 200
    assert page.text.count(f'data-case="{call.ticket.number}"') == 2  # the call and the callback
    assert "in the last 14 days" in page.text
    assert world.ticket.number not in page.text


def test_the_case_is_out_of_sight_after_the_follow_period(client, petra, world, known_number, settings):
    settings.RECEPTION_FOLLOW_DAYS = 3
    call = _log(petra, world, known_number)
    url = reverse("tickets:case", args=[call.ticket.number])
    assert client.get(url).status_code == 200
    # Four days pass (the call note is dated back; moving the clock would end the session too).
    Message.objects.filter(ticket=call.ticket, channel=Channel.PHONE).update(
        created_at=timezone.now() - datetime.timedelta(days=4))
    assert client.get(url).status_code == 404
    assert call.ticket.number not in client.get(reverse("phone:my_calls")).text


def test_other_agents_get_no_such_list_and_no_extra_cases(client, world, known_number, receptionist):
    call = _log(receptionist, world, known_number)
    client.login(username="olga", password=PASSWORD)
    assert client.get(reverse("tickets:case", args=[call.ticket.number])).status_code == 404
    assert call.ticket.number not in client.get(reverse("phone:my_calls")).text


def test_a_confidential_case_stays_closed_to_reception(client, petra, world, known_number):
    call = actions.log_call(actor=petra, number=known_number, text="Frage zum Befund.", team=world.confidential,
                            customer=world.customer)
    assert client.get(reverse("tickets:case", args=[call.ticket.number])).status_code == 404


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_reception_logs_a_call_opens_the_case_and_finds_it_later(page, live_server, world, receptionist,
                                                                known_number):
    login(page, live_server, "petra")
    page.wait_for_selector("nav.sidebar")
    page.goto(f"{live_server.url}/phone/call/")
    page.fill("#id_number", known_number)
    page.wait_for_selector(".caller.known")  # a known caller (named only to who may see them)
    page.fill("#id_note", "Router blinkt seit heute Morgen rot.")
    page.select_option("#id_team", str(world.support.pk))
    page.click("button[name=open]")
    page.wait_for_selector("#conversation")
    ticket = Ticket.objects.get(channel=Channel.PHONE)
    assert page.url.endswith(f"/cases/{ticket.number}/")
    page.click("nav.sidebar >> text=My calls")
    page.wait_for_selector(f"#my-calls tr[data-case='{ticket.number}']")
    page.screenshot(path="/tmp/workflow-my-calls.png", full_page=True)
