import datetime
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from anliegen.customers.models import Customer, CustomerPhone
from anliegen.phone import actions
from anliegen.phone.models import Callback
from anliegen.testing import PASSWORD
from anliegen.tickets.actions import ActionError, set_status
from anliegen.tickets.models import Channel, Event, Message, MessageKind, Status, Ticket

URL = reverse("phone:log_call")
LOOKUP = reverse("phone:lookup")


@pytest.fixture
def petra(client, receptionist):
    client.login(username="petra", password=PASSWORD)
    return receptionist


def local(dt: datetime.datetime) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def test_it_shows_the_form_with_the_number_focused(client, petra):
    response = client.get(URL)
    assert response.status_code == 200
    assert 'name="number"' in response.text and "autofocus" in response.text
    assert f'hx-get="{LOOKUP}"' in response.text


def test_it_recognises_a_known_caller_without_naming_a_customer_reception_may_not_see(client, petra, world,
                                                                                     known_number):
    response = client.get(LOOKUP, {"number": "+49 30 1234567"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "a known customer" in response.text
    # Who she is stays with the teams that work her cases (the API's customer visibility).
    assert "Erika Mustermann" not in response.text and "erika@example.org" not in response.text
    # The open case of her own team is offered; reception never sees the confidential one.
    assert world.ticket.number in response.text
    assert world.confidential_ticket.number not in response.text


def test_it_names_the_caller_to_staff_who_may_see_the_customer(client, world, known_number):
    client.login(username="anna", password=PASSWORD)
    response = client.get(LOOKUP, {"number": "+49 30 1234567"})
    assert "Erika Mustermann" in response.text and "erika@example.org" in response.text
    assert f"/phone/customers/{world.customer.pk}/journey/" in response.text
    client.logout()
    client.login(username="olga", password=PASSWORD)  # commercial team: none of Erika's cases
    response = client.get(LOOKUP, {"number": "+49 30 1234567"})
    assert "a known customer" in response.text and "Erika Mustermann" not in response.text
    assert world.ticket.number not in response.text and "/journey/" not in response.text


def test_it_names_the_caller_to_reception_once_it_took_a_call_of_theirs(client, petra, world, known_number):
    actions.log_call(actor=petra, number=known_number, text="Ruft an.", customer=world.customer, ticket=world.ticket)
    response = client.get(LOOKUP, {"number": "+49 30 1234567"})
    assert "Erika Mustermann" in response.text


def test_it_says_when_a_number_is_unknown(client, petra, world):
    response = client.get(LOOKUP, {"number": "+45 20 12 34 56"})
    assert "Unknown number +45 20 12 34 56" in response.text
    assert 'name="name"' in response.text
    assert "(da)" in response.text  # language guessed from the country code


def test_it_explains_a_malformed_number(client, petra, world):
    assert "Keep typing" in client.get(LOOKUP, {"number": "030"}).text
    response = client.get(LOOKUP, {"number": "12345678901234567890"})
    assert "is not a phone number that can be dialled" in response.text
    response = client.post(URL, {"number": "hello", "note": "Ruft an", "team": world.support.pk})
    assert response.status_code == 400
    assert "is not a phone number that can be dialled" in response.text
    assert not Ticket.objects.filter(channel=Channel.PHONE).exists()


def test_it_logs_a_call_of_a_known_caller_as_a_new_case(client, petra, world, known_number):
    response = client.post(URL, {"number": known_number, "case": "new",
                                 "note": "Internet fällt abends aus.\nSeit Montag.", "team": world.support.pk})
    assert response.status_code == 302
    ticket = Ticket.objects.get(channel=Channel.PHONE)
    assert ticket.customer == world.customer and ticket.team == world.support
    # Not a truncated copy of the note: who called (the agent can type a subject or change it).
    assert ticket.subject == "Phone call from Erika Mustermann"
    message = ticket.messages.get()
    assert message.kind == MessageKind.INBOUND and message.channel == Channel.PHONE and message.is_call
    # The call note is the agent's, not the customer's words.
    assert message.author_user == petra and message.author_customer is None and message.sender == "+49301234567"
    assert message.meta["call"] == {"number": "+49301234567", "taken_by": petra.pk, "taken_by_name": str(petra),
                                    "summary": ""}
    assert Event.objects.get(ticket=ticket, kind="created").actor == petra
    flash = client.get(URL).text
    assert f"new case {ticket.number}" in flash and "Technischer Support" in flash


def test_it_adds_the_call_to_an_open_case_and_hands_it_on(client, petra, world, known_number):
    response = client.post(URL, {"number": known_number, "case": str(world.ticket.pk),
                                 "note": "Ruft wegen des Routers wieder an.", "team": world.commercial.pk})
    assert response.status_code == 302
    world.ticket.refresh_from_db()
    assert world.ticket.team == world.commercial
    call = world.ticket.messages.get(channel=Channel.PHONE)
    assert call.kind == MessageKind.INBOUND and call.text == "Ruft wegen des Routers wieder an."
    assert call.author_user == petra and call.author_customer is None
    assert Event.objects.filter(ticket=world.ticket, kind="moved", actor=petra).exists()
    assert Ticket.objects.count() == 3  # no new case


def test_it_keeps_the_team_of_an_existing_case_when_none_is_chosen(client, petra, world, known_number):
    response = client.post(URL, {"number": known_number, "case": str(world.ticket.pk), "note": "Noch einmal."})
    assert response.status_code == 302
    world.ticket.refresh_from_db()
    assert world.ticket.team == world.support and world.ticket.message_count == 2


def test_it_refuses_a_case_the_caller_may_not_be_put_on(client, petra, world, known_number):
    # The confidential case is not offered to reception, and another customer's case never.
    for ticket in (world.confidential_ticket, world.other_ticket):
        response = client.post(URL, {"number": known_number, "case": str(ticket.pk), "note": "x"})
        assert response.status_code == 400
        assert "Choose one of the caller's open cases." in html.unescape(response.text)
    assert not Message.objects.filter(channel=Channel.PHONE).exists()


def test_it_offers_an_agent_only_the_cases_they_can_see(client, world, known_number):
    client.login(username="olga", password=PASSWORD)
    response = client.get(LOOKUP, {"number": known_number})
    assert world.ticket.number not in response.text
    assert "Erika Mustermann" not in response.text  # nor who the caller is (issue: any agent read it)


def test_it_creates_a_new_customer_for_an_unknown_number(client, petra, world):
    response = client.post(URL, {"number": "+45 20 12 34 56", "name": "Mette  Hansen", "email": "mette@mail.dk",
                                 "note": "Faktura er forkert.", "team": world.commercial.pk})
    assert response.status_code == 302
    customer = Customer.objects.get(name="Mette Hansen")
    assert customer.preferred_language == "da" and customer.primary_email == "mette@mail.dk"
    assert CustomerPhone.objects.get(number="+4520123456").customer == customer
    ticket = customer.tickets.get()
    assert ticket.channel == Channel.PHONE and ticket.team == world.commercial and ticket.language == "da"


def test_it_asks_for_the_name_of_an_unknown_caller(client, petra, world):
    response = client.post(URL, {"number": "+45 20 12 34 56", "note": "Hej", "team": world.commercial.pk})
    assert response.status_code == 400
    assert "Unknown number: type the caller" in response.text
    assert not CustomerPhone.objects.filter(number="+4520123456").exists()


def test_it_links_a_new_number_to_the_customer_of_a_known_address(client, petra, world):
    data = {"number": "0170 5555555", "name": "Erika M.", "email": "Erika@example.org", "note": "Neue Nummer.",
            "team": world.support.pk}
    response = client.post(URL, data)
    assert response.status_code == 400
    assert "This address belongs to another customer." in response.text and 'name="link_existing"' in response.text
    assert "Erika Mustermann" not in response.text  # not named to reception, who works none of her cases
    response = client.post(URL, {**data, "link_existing": "on"})
    assert response.status_code == 302
    assert CustomerPhone.objects.get(number="+491705555555").customer == world.customer
    assert Customer.objects.filter(name__startswith="Erika").count() == 1


def test_it_requires_a_team_and_a_note_for_a_new_case(client, petra, world, known_number):
    response = client.post(URL, {"number": known_number, "case": "new", "note": ""})
    assert response.status_code == 400
    assert "Choose the team that takes the case." in response.text
    assert "Write down what the caller said." in response.text


def test_it_assigns_an_agent_of_the_team_and_books_a_callback(client, petra, world, known_number):
    due = timezone.now() + datetime.timedelta(hours=3)
    response = client.post(URL, {"number": known_number, "note": "Bitte Rückruf.", "team": world.support.pk,
                                 "assignee": world.agent.pk, "callback_at": local(due),
                                 "callback_note": "Nach 15 Uhr"})
    assert response.status_code == 302
    ticket = Ticket.objects.get(channel=Channel.PHONE)
    assert ticket.assignee == world.agent
    callback = Callback.objects.get(ticket=ticket)
    assert callback.team == world.support and callback.agent == world.agent and callback.note == "Nach 15 Uhr"
    assert callback.phone_number == "+49301234567"


def test_it_refuses_an_agent_of_another_team(client, petra, world, known_number):
    response = client.post(URL, {"number": known_number, "note": "x", "team": world.support.pk,
                                 "assignee": world.outsider.pk})
    assert response.status_code == 400
    assert "Choose an agent of Technischer Support, or nobody." in response.text
    assert not Ticket.objects.filter(channel=Channel.PHONE).exists()


def test_it_refuses_a_callback_in_the_past_and_stores_nothing(client, petra, world, known_number):
    past = timezone.now() - datetime.timedelta(hours=1)
    response = client.post(URL, {"number": known_number, "note": "x", "team": world.support.pk,
                                 "callback_at": local(past)})
    assert response.status_code == 400
    assert "has already passed; choose a time from now on." in response.text
    assert not Ticket.objects.filter(channel=Channel.PHONE).exists() and not Callback.objects.exists()


def test_it_logs_all_or_nothing(world, receptionist, known_number):
    with pytest.raises(ActionError, match="already passed"):
        actions.log_call(actor=receptionist, number=known_number, text="x", team=world.support,
                         callback_at=timezone.now() - datetime.timedelta(days=1))
    assert not Ticket.objects.filter(channel=Channel.PHONE).exists()


def test_it_refuses_to_log_on_a_solved_case(world, receptionist, known_number):
    set_status(ticket=world.ticket, status=Status.SOLVED, actor=world.agent)
    with pytest.raises(ActionError, match="no longer open"):
        actions.log_call(actor=receptionist, number=known_number, text="x", ticket=world.ticket)


def test_it_opens_the_case_when_asked_and_allowed(client, world, known_number):
    client.login(username="anna", password=PASSWORD)
    response = client.post(URL, {"number": known_number, "note": "Router", "team": world.support.pk, "open": "1"})
    ticket = Ticket.objects.get(channel=Channel.PHONE)
    assert response.status_code == 302 and response["Location"] == reverse("tickets:case", args=[ticket.number])


def test_it_needs_a_signed_in_user(client, world):
    assert client.get(URL).status_code == 302
    assert client.get(LOOKUP, {"number": "030 1234567"}).status_code == 302
