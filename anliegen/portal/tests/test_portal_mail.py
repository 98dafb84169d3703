"""Portal customers are told: a concern submitted in the portal is confirmed by mail, and a
reply on a portal case arrives by mail with a link that signs them in. Both go through the
outbox and the worker, never from the web request."""

import datetime
import re

from django.core import mail
from django.urls import reverse

from anliegen.mail.models import Outbox, OutboxKind
from anliegen.portal.models import SignInLink
from anliegen.testing import make_ticket, run_worker
from anliegen.tickets.actions import add_reply
from anliegen.tickets.models import Channel, Ticket

from .test_submit import concern, new_tickets

LINK = re.compile(r"https?://\S+/portal/enter/[\w-]+/")


def test_it_confirms_a_concern_from_the_portal_by_mail(customer_client, world):
    response = concern(customer_client)
    assert response.status_code == 302
    ticket = new_tickets(world).get()
    assert not mail.outbox  # not sent in the request
    [row] = Outbox.objects.filter(ticket=ticket)
    assert row.kind == OutboxKind.CONFIRMATION and row.to == "erika@example.org"
    run_worker()
    [confirmation] = mail.outbox
    assert confirmation.to == ["erika@example.org"]
    assert confirmation.subject == f"We received your message [#{ticket.number}]"
    assert ticket.number in confirmation.body


def test_a_reply_on_a_portal_case_brings_a_sign_in_link(client, world, settings):
    settings.SITE_URL = "https://service.example.com"
    ticket = make_ticket(team=world.support, customer=world.customer, channel=Channel.PORTAL, subject="Zähler")
    add_reply(ticket=ticket, author=world.agent, text="Wir haben den Zählerstand korrigiert.")
    run_worker()
    [notice] = mail.outbox
    assert notice.to == ["erika@example.org"]
    assert "Wir haben den Zählerstand korrigiert." in notice.body
    url = LINK.search(notice.body).group(0)
    assert url.startswith("https://service.example.com/portal/enter/")
    assert url in notice.alternatives[0].content  # the HTML part carries it too
    link = SignInLink.objects.get(customer=world.customer)
    assert link.expires_at - link.created_at == datetime.timedelta(hours=settings.PORTAL_NOTICE_LINK_HOURS)
    # The link signs the customer in, and the reply is there.
    client.post(url.removeprefix("https://service.example.com"))
    page = client.get(reverse("portal:case", args=[ticket.number]))
    assert "Wir haben den Zählerstand korrigiert." in page.text


def test_a_reply_on_a_mail_case_brings_no_sign_in_link(world):
    add_reply(ticket=world.ticket, author=world.agent, text="Antwort per Mail.")
    run_worker()
    [reply] = mail.outbox
    assert not LINK.search(reply.body) and not SignInLink.objects.exists()
    assert Ticket.objects.get(pk=world.ticket.pk).channel == Channel.EMAIL
