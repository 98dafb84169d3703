"""A call note is the agent's record of a call: authored by them, shown to staff as a call
note and in the portal as "Phone call on <date>" (with the summary the agent chose to share),
never as the customer's own words. The subject of a call is typed or neutral, and editable."""

import pytest
from django.test import Client
from django.urls import reverse

from anliegen.customers.actions import set_preferred_language
from anliegen.phone import actions
from anliegen.portal.actions import issue_sign_in_link
from anliegen.testing import PASSWORD
from anliegen.tickets.models import Event, Ticket

pytestmark = pytest.mark.django_db

NOTE = "Kundin verärgert, droht mit Kündigung. Router-Seriennummer 4711."


def staff(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def portal(customer) -> Client:
    set_preferred_language(customer=customer, language="en")
    client = Client()
    token = issue_sign_in_link(customer=customer, email=customer.primary_email)
    assert client.post(reverse("portal:enter", args=[token])).status_code == 302
    return client


def log(receptionist, world, known_number, **kwargs):
    return actions.log_call(actor=receptionist, number=known_number, text=NOTE, customer=world.customer,
                            team=world.support, **kwargs)


def test_staff_see_the_call_note_as_the_agents(world, receptionist, known_number):
    call = log(receptionist, world, known_number, subject="Router fällt aus")
    assert call.ticket.subject == "Router fällt aus"
    page = " ".join(staff("anna").get(reverse("tickets:case", args=[call.ticket.number])).text.split())
    assert "Call note · Phone · Petra · call with Erika Mustermann" in page
    assert NOTE in page


def test_the_portal_shows_a_phone_call_never_the_note(world, receptionist, known_number):
    call = log(receptionist, world, known_number)
    page = portal(world.customer).get(reverse("portal:case", args=[call.ticket.number])).text
    assert "Phone call on" in page
    assert NOTE not in page and "Kündigung" not in page
    assert "You</span>" not in page  # not presented as the customer's words


def test_the_portal_shows_the_summary_the_agent_shared(world, receptionist, known_number):
    call = log(receptionist, world, known_number, summary="Wir schicken Ihnen einen neuen Router.")
    page = portal(world.customer).get(reverse("portal:case", args=[call.ticket.number])).text
    assert "Phone call on" in page and "Wir schicken Ihnen einen neuen Router." in page
    assert NOTE not in page


def test_an_agent_changes_the_subject_of_a_call(world, receptionist, known_number):
    call = log(receptionist, world, known_number)
    assert call.ticket.subject == "Phone call from Erika Mustermann"
    anna = staff("anna")
    url = reverse("tickets:subject", args=[call.ticket.number])
    response = anna.post(url, {"subject": "  Router   fällt abends aus "}, follow=True)
    assert response.status_code == 200 and "The subject was changed." in response.text
    assert Ticket.objects.get(pk=call.ticket.pk).subject == "Router fällt abends aus"
    event = Event.objects.get(ticket=call.ticket, kind="subject")
    assert event.actor == world.agent and event.before == "Phone call from Erika Mustermann"
    assert event.after == "Router fällt abends aus"
    refused = anna.post(url, {"subject": "   "})
    assert refused.status_code == 400 and "The subject cannot be empty." in refused.text
    assert Ticket.objects.get(pk=call.ticket.pk).subject == "Router fällt abends aus"


def test_an_agent_of_another_team_cannot_change_the_subject(world, receptionist, known_number):
    call = log(receptionist, world, known_number)
    response = staff("olga").post(reverse("tickets:subject", args=[call.ticket.number]), {"subject": "Anders"})
    assert response.status_code == 404
    assert Ticket.objects.get(pk=call.ticket.pk).subject == "Phone call from Erika Mustermann"
