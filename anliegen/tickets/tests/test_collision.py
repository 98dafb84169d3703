"""Collision after the fact: a customer message or a colleague's reply that arrives while an
agent writes is shown to them before their reply goes out, and they send again to confirm."""

import pytest
from django.urls import reverse

from anliegen.testing import PASSWORD
from anliegen.tickets.actions import add_customer_message, add_note, add_reply
from anliegen.tickets.models import MessageKind
from anliegen.tickets.presence import newest_seen
from conftest import login


@pytest.fixture
def anna(client, world):
    client.login(username="anna", password=PASSWORD)
    return world.agent


def _send(client, ticket, seen, text="Bitte starten Sie den Router neu."):
    return client.post(reverse("tickets:reply", args=[ticket.number]), {"text": text, "seen": str(seen)})


def _replies(ticket):
    return ticket.messages.filter(kind=MessageKind.REPLY, text="Bitte starten Sie den Router neu.").count()


def test_it_sends_when_nothing_new_arrived(client, anna, world):
    page = client.get(reverse("tickets:case", args=[world.ticket.number]))
    seen = page.context["reply_seen"]
    assert seen == world.ticket.messages.get().pk
    add_note(ticket=world.ticket, author=world.teammate, text="Kunde ist VIP.")  # notes do not count
    assert _send(client, world.ticket, seen).status_code == 302
    assert _replies(world.ticket) == 1


def test_it_shows_a_customer_message_that_arrived_while_writing(client, anna, world):
    seen = newest_seen(world.ticket)
    add_customer_message(ticket=world.ticket, customer=world.customer, text="Hat sich erledigt, läuft wieder!")
    response = _send(client, world.ticket, seen)
    assert response.status_code == 409
    assert "While you were writing, a new message arrived. Your reply was not sent yet." in response.text
    assert "Hat sich erledigt, läuft wieder!" in response.text
    assert "Bitte starten Sie den Router neu." in response.text  # the draft is kept
    assert "Send my reply anyway" in response.text
    assert _replies(world.ticket) == 0
    # Sending again, now having seen it, sends.
    assert response.context["reply_seen"] == newest_seen(world.ticket) > seen
    assert _send(client, world.ticket, response.context["reply_seen"]).status_code == 302
    assert _replies(world.ticket) == 1


def test_it_shows_a_colleagues_reply_but_not_ones_own(client, anna, world):
    seen = newest_seen(world.ticket)
    add_reply(ticket=world.ticket, author=world.teammate, text="Ich habe schon geantwortet.")
    response = _send(client, world.ticket, seen)
    assert response.status_code == 409 and "Ich habe schon geantwortet." in response.text
    assert "Reply by Tom" in response.text
    seen = newest_seen(world.ticket)
    add_reply(ticket=world.ticket, author=world.agent, text="Meine eigene Antwort.")
    assert _send(client, world.ticket, seen).status_code == 302


def test_the_heartbeat_tells_of_a_new_message(client, anna, world):
    url = reverse("tickets:presence", args=[world.ticket.number])
    seen = newest_seen(world.ticket)
    assert "data-newer" not in client.post(url, {"seen": str(seen)}).text
    add_customer_message(ticket=world.ticket, customer=world.customer, text="Noch etwas.")
    assert "A new message arrived while you were here" in client.post(url, {"seen": str(seen)}).text


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_shows_the_customers_new_message_before_the_reply_goes_out(page, live_server, world):
    login(page, live_server, "anna")
    page.wait_for_selector("nav.sidebar")
    page.goto(f"{live_server.url}/cases/{world.ticket.number}/")
    page.fill("#id_reply_text", "Bitte starten Sie den Router neu.")
    add_customer_message(ticket=world.ticket, customer=world.customer, text="Hat sich erledigt, läuft wieder!")
    page.wait_for_selector("[data-newer]", timeout=10_000)  # told by the next heartbeat
    page.click("button[name=send]")
    page.wait_for_selector("#collision")
    assert "Hat sich erledigt, läuft wieder!" in page.inner_text("#collision")
    assert page.input_value("#id_reply_text") == "Bitte starten Sie den Router neu."
    page.screenshot(path="/tmp/workflow-collision.png", full_page=True)
    assert _replies(world.ticket) == 0
    page.fill("#id_reply_text", "Schön, dass es wieder läuft!")
    page.click("button:has-text('Send my reply anyway')")
    page.wait_for_selector("#reply-delivery")
    page.wait_for_selector("#conversation article.reply")
    assert world.ticket.messages.filter(kind=MessageKind.REPLY, text="Schön, dass es wieder läuft!").count() == 1
