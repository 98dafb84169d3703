"""A reply reaches the customer: by e-mail whenever they have an address, whatever channel
opened the case; otherwise in the portal only. The reply box says so before sending, the
message after sending says what happened."""

import pytest
from django.test import Client
from django.urls import reverse

from anliegen.mail.models import Outbox, OutboxStatus
from anliegen.testing import PASSWORD, make_customer, make_ticket
from anliegen.tickets.models import Channel, Message, MessageKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def anna(world) -> Client:
    client = Client()
    assert client.login(username="anna", password=PASSWORD)
    return client


def test_it_tells_before_sending_that_a_phone_case_reply_goes_by_mail(anna, world):
    ticket = make_ticket(team=world.support, customer=world.customer, channel=Channel.PHONE, subject="Anruf")
    response = anna.get(reverse("tickets:case", args=[ticket.number]))
    assert response.status_code == 200
    assert "Goes by e-mail to erika@example.org." in response.text


def test_it_mails_the_reply_on_a_phone_case_and_says_so(anna, world):
    ticket = make_ticket(team=world.support, customer=world.customer, channel=Channel.PHONE, subject="Anruf")
    response = anna.post(reverse("tickets:reply", args=[ticket.number]), {"text": "Wie besprochen."}, follow=True)
    assert "is being sent by e-mail to erika@example.org" in response.text
    [row] = Outbox.objects.filter(ticket=ticket)
    assert row.to == "erika@example.org" and row.status == OutboxStatus.PENDING
    assert Message.objects.get(ticket=ticket, kind=MessageKind.REPLY).channel == Channel.EMAIL


def test_it_says_portal_only_for_a_customer_without_address(anna, world):
    customer = make_customer("Otto Ohnemail")
    customer.emails.all().delete()
    ticket = make_ticket(team=world.support, customer=customer, channel=Channel.PHONE, subject="Anruf")
    page = anna.get(reverse("tickets:case", args=[ticket.number]))
    assert "Portal only: the customer has no e-mail address." in page.text
    response = anna.post(reverse("tickets:reply", args=[ticket.number]), {"text": "Wie besprochen."}, follow=True)
    assert "visible in the portal only" in response.text
    assert not Outbox.objects.filter(ticket=ticket).exists()
    assert Message.objects.get(ticket=ticket, kind=MessageKind.REPLY).channel == Channel.PORTAL
