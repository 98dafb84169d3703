"""The SMTP/LMTP listener: 250 only after the mail is stored, 552 above the size limit, 451
while the database is unavailable, and the recipient picks the mailbox and so the team."""

import smtplib

import pytest
from django.db import OperationalError

from anliegen.mail import smtpd
from anliegen.mail.models import InboundMail, Mailbox, Quarantine
from anliegen.mail.tests.rawmail import make_raw, message_id_of
from anliegen.tickets.models import Message

# The listener stores mail from its own threads: the test database must be committed to.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def listener(listener_port):
    controller = smtpd.start_listener("127.0.0.1", listener_port)
    yield controller
    controller.stop()


@pytest.fixture
def mailboxes(world):
    return (
        Mailbox.objects.create(name="Support", team=world.support, address="support@anliegen.example"),
        Mailbox.objects.create(name="Sales", team=world.commercial, address="Sales@Anliegen.example"),
    )


def send(port: int, raw: bytes, to: str = "support@anliegen.example", sender: str = "erika@example.org") -> dict:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        return client.sendmail(sender, [to], raw)


def test_it_answers_250_after_the_mail_is_stored(listener, listener_port, mailboxes):
    raw = make_raw(subject="Router startet nicht", sender="kunde@example.net")

    with smtplib.SMTP("127.0.0.1", listener_port, timeout=30) as client:
        client.ehlo()
        client.mail("kunde@example.net")
        client.rcpt("support@anliegen.example")
        code, reply = client.data(raw)
        # The moment the reply arrives the mail is committed and visible to others.
        stored = Message.objects.filter(message_id=message_id_of(raw)).select_related("ticket").first()

    assert code == 250 and b"stored" in reply
    assert stored is not None and stored.ticket.team == mailboxes[0].team
    inbound = InboundMail.objects.get()
    assert (inbound.source, inbound.mailbox) == ("smtp", mailboxes[0])


def test_the_recipient_address_picks_the_mailbox_and_its_team(listener, listener_port, mailboxes, world):
    raw = make_raw(subject="Angebot bitte", sender="einkauf@example.net")
    send(listener_port, raw, to="sales@anliegen.example")
    message = Message.objects.get(message_id=message_id_of(raw))
    assert message.ticket.team == world.commercial
    assert InboundMail.objects.get().mailbox == mailboxes[1]


def test_it_refuses_unknown_recipients_once_mailboxes_exist(listener, listener_port, mailboxes):
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(listener_port, make_raw(), to="nobody@anliegen.example")
    assert refused.value.recipients["nobody@anliegen.example"][0] == 550
    assert InboundMail.objects.count() == 0


def test_it_accepts_any_recipient_while_no_mailbox_is_set_up(listener, listener_port, world):
    raw = make_raw(subject="Ohne Postfach")
    send(listener_port, raw, to="anything@anliegen.example")
    assert Message.objects.filter(message_id=message_id_of(raw)).count() == 1


def test_it_stores_the_same_mail_once_when_it_is_delivered_twice(listener, listener_port, mailboxes):
    raw = make_raw(subject="Doppelt zugestellt")
    send(listener_port, raw)
    send(listener_port, raw)
    assert Message.objects.filter(message_id=message_id_of(raw)).count() == 1
    assert InboundMail.objects.count() == 1


def test_it_refuses_mail_over_the_size_limit_with_552(settings, listener_port, mailboxes):
    settings.MAIL_MAX_BYTES = 20_000
    controller = smtpd.start_listener("127.0.0.1", listener_port)
    try:
        big = make_raw(text="x" * 60 + "\n" * 1 + ("Zeile mit Text " * 5 + "\n") * 400)
        assert len(big) > 20_000
        # A client that announces the size is refused at MAIL FROM ...
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            send(listener_port, big)
        assert refused.value.smtp_code == 552
        # ... and one that does not, after the data.
        with smtplib.SMTP("127.0.0.1", listener_port, timeout=30) as client:
            client.ehlo()
            client.mail("erika@example.org")
            client.rcpt("support@anliegen.example")
            code, _reply = client.data(big)
        assert code == 552
        small = make_raw(subject="Klein genug")
        send(listener_port, small)
    finally:
        controller.stop()
    assert InboundMail.objects.count() == 1 and Quarantine.objects.count() == 0
    assert Message.objects.filter(message_id=message_id_of(small)).exists()


def test_it_answers_451_while_the_database_is_unavailable(listener, listener_port, mailboxes, monkeypatch):
    raw = make_raw(subject="Datenbank weg")
    real = smtpd.ingest_mail

    def unavailable(raw, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(smtpd, "ingest_mail", unavailable)
    with pytest.raises(smtplib.SMTPDataError) as deferred:
        send(listener_port, raw)
    assert deferred.value.smtp_code == 451
    assert InboundMail.objects.count() == 0

    monkeypatch.setattr(smtpd, "ingest_mail", real)
    send(listener_port, raw)  # the sending server retries
    assert Message.objects.filter(message_id=message_id_of(raw)).count() == 1


def test_it_answers_451_when_the_recipient_cannot_be_looked_up(listener, listener_port, mailboxes, monkeypatch):
    def unavailable(address):
        raise OperationalError("database is locked")

    monkeypatch.setattr(smtpd, "_find_mailbox", unavailable)
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(listener_port, make_raw())
    assert refused.value.recipients["support@anliegen.example"][0] == 451


def test_an_unreadable_mail_is_accepted_into_quarantine(listener, listener_port, mailboxes):
    send(listener_port, b"\x00\x01\x02 garbage without headers\r\n")
    assert Quarantine.objects.filter(source="smtp").count() == 1


def test_it_accepts_lines_longer_than_smtp_allows(listener, listener_port, mailboxes):
    raw = make_raw(subject="Lange Zeile", html="<p>" + "lang " * 2000 + "</p>")
    raw = raw.replace(b"\n ", b" ")  # unfold: one very long line, as some programs write
    send(listener_port, raw)
    assert Message.objects.filter(message_id=message_id_of(raw)).count() == 1


def test_it_speaks_lmtp_with_one_reply_per_recipient(listener_port, mailboxes):
    controller = smtpd.start_listener("127.0.0.1", listener_port, lmtp=True)
    try:
        raw = make_raw(subject="Per LMTP")
        # smtplib reads one reply after DATA; LMTP gives one per recipient: read the second.
        with smtplib.LMTP("127.0.0.1", listener_port, timeout=30) as client:
            client.ehlo()
            client.mail("erika@example.org")
            client.rcpt("support@anliegen.example")
            client.rcpt("sales@anliegen.example")
            replies = [client.data(raw)[0], client.getreply()[0]]
    finally:
        controller.stop()
    assert replies == [250, 250]
    assert Message.objects.filter(message_id=message_id_of(raw)).count() == 1
    assert InboundMail.objects.get().mailbox == mailboxes[0]
