"""Bounces: linked to the outbound mail they bounce, which is marked failed with the remote
server's reason, and shown on the case as an internal note; bounces that match no outgoing mail
and no case are listed for admins."""

import pytest
from django.urls import reverse
from django.utils import timezone

from anliegen.accounts.models import Role

from anliegen.mail.ingest import ingest_mail
from anliegen.mail.models import InboundMail, Outbox, OutboxStatus, Outcome
from anliegen.testing import PASSWORD, make_agent
from anliegen.tickets.actions import add_reply
from anliegen.tickets.models import MessageKind, Status, Ticket

pytestmark = pytest.mark.django_db


def bounce(original_id: str, *, boundary: str = "b0undary") -> bytes:
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\r\n"
        "To: service@anliegen.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: <bounce-{original_id}>\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\r\n'
        "\r\n"
        f"--{boundary}\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
        "I'm sorry to have to inform you that your message could not be delivered.\r\n\r\n"
        f"--{boundary}\r\n"
        "Content-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.org\r\n\r\n"
        "Final-Recipient: rfc822; erika@example.org\r\n"
        "Action: failed\r\n"
        "Status: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 <erika@example.org>: Recipient address\r\n"
        "    rejected: User unknown in virtual mailbox table\r\n\r\n"
        f"--{boundary}\r\n"
        "Content-Type: text/rfc822-headers\r\n\r\n"
        "From: Service <service@anliegen.example>\r\n"
        "To: erika@example.org\r\n"
        "Subject: Re: Router startet nicht [#A-100001]\r\n"
        f"Message-ID: <{original_id}>\r\n\r\n"
        f"--{boundary}--\r\n"
    ).encode()


@pytest.fixture
def sent(world):
    reply = add_reply(ticket=world.ticket, author=world.agent, text="Bitte starten Sie den Router neu.",
                      status=Status.PENDING)
    return Outbox.objects.create(
        ticket=world.ticket, ticket_message=reply, to="erika@example.org", subject="Re: Router startet nicht",
        message_id="reply.1.abc@anliegen.example", status=OutboxStatus.SENT, attempts=1,
        created_at=timezone.now(), sent_at=timezone.now(),
    )


def test_it_marks_the_bounced_outbound_mail_failed_and_notes_it_on_the_case(world, sent):
    result = ingest_mail(bounce(sent.message_id), source="imap")

    assert result.outcome == Outcome.BOUNCE and result.ticket == world.ticket
    sent.refresh_from_db()
    assert sent.status == OutboxStatus.FAILED and sent.bounced_at is not None
    assert "5.1.1" in sent.last_error and "User unknown" in sent.last_error
    note = world.ticket.messages.filter(kind=MessageKind.NOTE).get()
    assert "could not be delivered" in note.text and "erika@example.org" in note.text
    assert note.meta["bounce"]["outbox"] == sent.pk
    inbound = InboundMail.objects.get(outcome=Outcome.BOUNCE)
    assert inbound.is_bounce and inbound.ticket == world.ticket and inbound.ticket_message == note
    world.ticket.refresh_from_db()
    assert world.ticket.status == Status.PENDING  # a bounce does not reopen the case
    assert Ticket.objects.count() == 3  # and opens no case of its own


def test_it_stores_a_bounce_once(world, sent):
    raw = bounce(sent.message_id)
    ingest_mail(raw, source="imap")
    again = ingest_mail(raw, source="smtp")
    assert not again.stored
    assert world.ticket.messages.filter(kind=MessageKind.NOTE).count() == 1


def test_it_keeps_a_bounce_for_a_mail_we_never_sent(world):
    result = ingest_mail(bounce("never-sent@elsewhere.example"), source="imap")
    assert result.outcome == Outcome.BOUNCE and result.ticket is None
    assert InboundMail.objects.get().note.startswith("5.1.1")
    assert Ticket.objects.count() == 3


def test_it_links_a_bounce_of_a_reply_without_outbox_row(world):
    reply = add_reply(ticket=world.ticket, author=world.agent, text="Antwort")
    reply.message_id = "direct.2@anliegen.example"
    reply.save(update_fields=["message_id"])
    result = ingest_mail(bounce("direct.2@anliegen.example"), source="imap")
    assert result.ticket == world.ticket
    assert world.ticket.messages.filter(kind=MessageKind.NOTE, meta__bounce__isnull=False).count() == 1


# --- the list of unmatched bounces --------------------------------------------------------

@pytest.fixture
def admin(world):
    return make_agent("adam", role=Role.ADMIN)


def test_it_lists_a_bounce_that_matches_no_outgoing_mail(client, world, sent, admin):
    matched = ingest_mail(bounce(sent.message_id), source="imap")
    unmatched = ingest_mail(bounce("long-gone.42@anliegen.example", boundary="other"), source="imap")
    assert matched.ticket == world.ticket
    assert unmatched.outcome == Outcome.BOUNCE and unmatched.ticket is None
    assert client.login(username="adam", password=PASSWORD)

    response = client.get(reverse("mail:bounces"))
    page = response.content.decode()
    assert response.status_code == 200
    assert reverse("mail:inbound_detail", args=[unmatched.inbound.pk]) in page
    assert reverse("mail:inbound_detail", args=[matched.inbound.pk]) not in page  # noted on its case
    assert "5.1.1" in page  # the remote server's reason
    detail = client.get(reverse("mail:inbound_detail", args=[unmatched.inbound.pk]))
    assert detail.status_code == 200 and "could not be delivered" in detail.content.decode()
    assert client.get(reverse("mail:inbound_detail", args=[matched.inbound.pk])).status_code == 404


def test_it_shows_an_empty_list_and_keeps_it_from_agents(client, world, admin):
    assert client.login(username="adam", password=PASSWORD)
    assert "No unmatched bounces." in client.get(reverse("mail:bounces")).content.decode()
    client.logout()
    for persona in ("agent", "lead"):
        assert client.login(username=getattr(world, persona).username, password=PASSWORD)
        assert client.get(reverse("mail:bounces")).status_code == 403  # role_required: one answer
        client.logout()
