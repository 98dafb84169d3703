"""The admins' "Outgoing mail" page lists every mail queued, sent or failed, with its text; in
development the portal's sign-in links are readable there, in production they are masked."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from anliegen.accounts.models import Role
from anliegen.mail.models import Outbox, OutboxKind, OutboxStatus
from anliegen.portal.actions import mail_sign_in_link
from anliegen.testing import PASSWORD, make_agent, run_worker
from anliegen.tickets.actions import add_reply

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://\S+/portal/enter/[\w-]+/")


@pytest.fixture
def adam(world) -> Client:
    make_agent("adam", role=Role.ADMIN)
    client = Client()
    assert client.login(username="adam", password=PASSWORD)
    return client


def test_it_lists_every_mail_with_its_state(adam, world, settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
    add_reply(ticket=world.ticket, author=world.agent, text="Bitte starten Sie den Router neu.")
    mail_sign_in_link(address="jens@example.dk")
    failed = Outbox.objects.create(kind=OutboxKind.CONFIRMATION, to="x@example.org", subject="Kaputt",
                                   text="t", message_id="f@anliegen.example", status=OutboxStatus.FAILED,
                                   last_error="SMTP 550: No such user", created_at=world.ticket.created_at)
    page = adam.get(reverse("mail:outgoing"))
    assert page.status_code == 200
    for text in ["erika@example.org", "Sign-in link", "jens@example.dk", "Failed", "SMTP 550", world.ticket.number,
                 "the worker writes it to its log"]:
        assert text in page.text
    assert adam.get(reverse("mail:outgoing"), {"status": "failed"}).text.count("data-outbox=") == 1
    detail = adam.get(reverse("mail:outgoing_detail", args=[failed.pk]))
    assert "Send again" in detail.text
    adam.post(reverse("mail:outgoing_retry", args=[failed.pk]))
    assert Outbox.objects.get(pk=failed.pk).status == OutboxStatus.PENDING


def test_it_shows_the_text_of_a_reply_and_of_a_sign_in_link(adam, world):
    add_reply(ticket=world.ticket, author=world.agent, text="Bitte starten Sie den Router neu.")
    mail_sign_in_link(address="jens@example.dk")
    run_worker()
    reply = Outbox.objects.get(kind=OutboxKind.REPLY)
    assert "Bitte starten Sie den Router neu." in adam.get(reverse("mail:outgoing_detail", args=[reply.pk])).text
    sign_in = Outbox.objects.get(kind=OutboxKind.SIGN_IN)
    detail = adam.get(reverse("mail:outgoing_detail", args=[sign_in.pk])).text
    assert LINK.search(detail)  # development: the demo's portal can be entered from here


def test_it_masks_sign_in_links_in_production(adam, world, settings):
    settings.PRODUCTION = True
    mail_sign_in_link(address="jens@example.dk")
    row = Outbox.objects.get(kind=OutboxKind.SIGN_IN)
    assert LINK.search(row.text)
    detail = adam.get(reverse("mail:outgoing_detail", args=[row.pk])).text
    assert not LINK.search(detail) and "/portal/enter/…/" in detail


def test_agents_do_not_find_the_page(client, world):
    row = Outbox.objects.create(kind=OutboxKind.CONFIRMATION, to="x@example.org", subject="s", text="t",
                                message_id="a@anliegen.example", created_at=world.ticket.created_at)
    assert client.login(username="anna", password=PASSWORD)
    for url in [reverse("mail:outgoing"), reverse("mail:outgoing_detail", args=[row.pk])]:
        assert client.get(url).status_code == 403  # role_required("admin"): Anliegen's "not allowed" page
    assert client.post(reverse("mail:outgoing_retry", args=[row.pk])).status_code == 403
