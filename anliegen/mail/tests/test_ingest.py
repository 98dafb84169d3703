"""ingest_mail: every mail becomes a stored mail on a case, or a quarantine entry; once."""

import pytest

from anliegen.customers.models import Customer
from anliegen.mail import ingest
from anliegen.mail.ingest import ingest_mail
from anliegen.mail.models import InboundMail, Mailbox, Outcome, Quarantine
from anliegen.mail.tests.rawmail import make_raw, message_id_of
from anliegen.testing import make_team
from anliegen.tickets.actions import set_status
from anliegen.tickets.models import Attachment, Channel, Message, Status, Ticket
from anliegen.tickets.storage import read_bytes

pytestmark = pytest.mark.django_db


def test_it_creates_a_case_from_a_new_mail(world):
    raw = make_raw(sender="Max Muster <Max.Muster@example.net>", subject="Vertrag kündigen",
                   text="Bitte kündigen Sie meinen Vertrag.")
    result = ingest_mail(raw, source="imap")

    assert result.outcome == Outcome.CREATED and result.stored
    ticket = result.ticket
    assert ticket.subject == "Vertrag kündigen" and ticket.channel == Channel.EMAIL
    assert ticket.customer.name == "Max Muster"
    assert ticket.customer.primary_email == "max.muster@example.net"
    message = ticket.messages.get()
    assert message.kind == "inbound" and message.text.startswith("Bitte kündigen")
    assert message.message_id == message_id_of(raw)
    inbound = InboundMail.objects.get()
    assert (inbound.ticket, inbound.ticket_message, inbound.source) == (ticket, message, "imap")
    assert read_bytes(inbound.raw_sha256) == raw  # the raw mail is kept


def test_it_links_mail_from_a_known_address_to_the_customer(world):
    result = ingest_mail(make_raw(sender="Erika <ERIKA@Example.org>", subject="Neue Frage"), source="smtp")
    assert result.ticket.customer == world.customer
    assert Customer.objects.filter(emails__address="erika@example.org").count() == 1


def test_it_stores_the_same_mail_once(world):
    raw = make_raw()
    first = ingest_mail(raw, source="imap")
    again = ingest_mail(raw, source="smtp")

    assert again.outcome == Outcome.DUPLICATE and not again.stored
    assert again.inbound == first.inbound and again.ticket == first.ticket
    assert InboundMail.objects.count() == 1
    assert first.ticket.messages.count() == 1


def test_it_records_the_same_mail_by_another_path_as_a_duplicate(world):
    raw = make_raw(message_id="same@example.org")
    first = ingest_mail(raw, source="imap")
    other_path = b"Received: from relay.example.org by mx.anliegen.example\r\n" + raw
    second = ingest_mail(other_path, source="smtp")

    assert second.outcome == Outcome.DUPLICATE and second.ticket == first.ticket
    assert first.ticket.messages.count() == 1
    assert InboundMail.objects.filter(outcome=Outcome.DUPLICATE).count() == 1
    assert ingest_mail(other_path, source="smtp").stored is False


def test_it_quarantines_an_unreadable_mail(world):
    raw = b"\x00\x01\x02 this is not a mail at all"
    result = ingest_mail(raw, source="imap")

    assert result.quarantined and result.quarantine.reason.startswith("Unreadable mail")
    assert read_bytes(result.quarantine.raw_sha256) == raw
    assert InboundMail.objects.count() == 0
    # the same bad mail again is not a second entry
    assert ingest_mail(raw, source="imap").quarantine == result.quarantine
    assert Quarantine.objects.count() == 1


def test_it_quarantines_a_mail_without_sender(world):
    result = ingest_mail(b"Subject: hello\r\nTo: service@anliegen.example\r\n\r\nbody\r\n", source="smtp")
    assert result.quarantined and "sender" in result.quarantine.reason
    assert result.quarantine.summary == "hello"


def test_it_quarantines_a_mail_above_the_size_limit(world, settings):
    settings.MAIL_MAX_BYTES = 1000
    result = ingest_mail(make_raw(text="x" * 5000), source="import")
    assert result.quarantined and "larger" in result.quarantine.reason


def test_it_rolls_back_and_quarantines_when_storing_fails(world, monkeypatch):
    tickets_before = Ticket.objects.count()

    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(ingest.ticket_actions, "create_ticket", broken)
    result = ingest_mail(make_raw(sender="new@example.net"), source="imap")

    assert result.quarantined and "disk on fire" in result.quarantine.reason
    assert Ticket.objects.count() == tickets_before
    assert InboundMail.objects.count() == 0
    assert not Customer.objects.filter(emails__address="new@example.net").exists()


def test_it_stores_attachments_and_withholds_blocked_files(world):
    raw = make_raw(attachments=[("rechnung.pdf", "application/pdf", b"%PDF-1.4 test"),
                                ("virus.exe", "application/octet-stream", b"MZ....")])
    result = ingest_mail(raw, source="imap")

    assert result.outcome == Outcome.CREATED
    names = list(Attachment.objects.filter(message__ticket=result.ticket).values_list("filename", flat=True))
    assert names == ["rechnung.pdf"]
    assert "virus.exe" in result.inbound.note
    message = result.ticket.messages.get()
    assert "virus.exe" in message.meta["mail"]["withheld"][0]


def test_it_stores_a_mail_without_text(world):
    raw = b"From: erika@example.org\r\nSubject: \r\nMessage-ID: <empty@example.org>\r\n\r\n"
    result = ingest_mail(raw, source="imap")
    assert result.outcome == Outcome.CREATED
    assert result.ticket.messages.get().text


def test_it_reopens_a_solved_case_when_the_customer_replies(world):
    first = ingest_mail(make_raw(subject="Passwort vergessen"), source="imap")
    set_status(ticket=first.ticket, status=Status.SOLVED, actor=world.agent)
    reply = make_raw(subject="Re: Passwort vergessen", in_reply_to=first.inbound.message_id, text="Geht wieder nicht.")
    result = ingest_mail(reply, source="imap")

    assert result.outcome == Outcome.APPENDED and result.ticket == first.ticket
    first.ticket.refresh_from_db()
    assert first.ticket.status == Status.OPEN
    assert first.ticket.events.filter(kind="reopened").exists()


def test_it_gives_the_case_to_the_mailbox_team(world):
    box = Mailbox.objects.create(name="Vertrieb", team=world.commercial, address="vertrieb@anliegen.example")
    result = ingest_mail(make_raw(), source="imap", mailbox=box)
    assert result.ticket.team == world.commercial and result.inbound.mailbox == box


def test_it_uses_the_team_given_over_the_mailbox(world):
    box = Mailbox.objects.create(name="Vertrieb", team=world.commercial, address="vertrieb@anliegen.example")
    result = ingest_mail(make_raw(), source="import", mailbox=box, team=world.support)
    assert result.ticket.team == world.support


def test_it_uses_the_default_team_without_mailbox(world, settings):
    settings.MAIL_DEFAULT_TEAM = world.commercial.slug
    assert ingest_mail(make_raw(), source="import").ticket.team == world.commercial


def test_it_quarantines_when_no_team_exists(db):
    result = ingest_mail(make_raw(), source="import")
    assert result.quarantined and "team" in result.quarantine.reason
    make_team("Posteingang")
    assert ingest_mail(make_raw(), source="import").outcome == Outcome.CREATED


def test_it_asks_for_an_acknowledgement_only_when_the_mailbox_wants_one(world):
    quiet = Mailbox.objects.create(name="Leise", team=world.support, address="leise@anliegen.example")
    loud = Mailbox.objects.create(name="Laut", team=world.support, address="laut@anliegen.example",
                                  send_acknowledgement=True)
    assert ingest_mail(make_raw(), source="imap", mailbox=quiet).acknowledge is False
    result = ingest_mail(make_raw(), source="imap", mailbox=loud)
    assert result.acknowledge is True
    assert result.ticket.messages.get().meta["acknowledge"] is True
    reply = make_raw(subject="Re: x", in_reply_to=result.inbound.message_id)
    assert ingest_mail(reply, source="imap", mailbox=loud).acknowledge is False


def test_it_keeps_the_html_sanitised(world):
    raw = make_raw(text="Hallo", html='<p>Hallo <script>alert(1)</script><b>Welt</b></p>')
    message = ingest_mail(raw, source="imap").ticket.messages.get()
    assert "<script" not in message.html and "<b>Welt</b>" in message.html
    assert Message.objects.filter(pk=message.pk, text__contains="Hallo").exists()


def test_it_stores_text_with_nul_characters_and_undecodable_bytes(world):
    raw = (b"From: Erika <erika@example.org>\r\nSubject: Null\x00byte \xff\r\nMessage-ID: <nul@example.org>\r\n"
           b"Content-Type: text/plain; charset=utf-8\r\n\r\nHallo\x00Welt \xff\xfe\r\n")
    result = ingest_mail(raw, source="imap")
    assert result.outcome == Outcome.CREATED
    message = result.ticket.messages.get()
    assert "\x00" not in message.text and "Hallo" in message.text and "Welt" in message.text
