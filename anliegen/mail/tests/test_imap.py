"""IMAP polling against a real Dovecot: each mail is stored once and acknowledged on the
server only after it was stored."""

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError

from anliegen.mail import imap
from anliegen.mail.models import InboundMail, Mailbox, Quarantine
from anliegen.mail.tests.rawmail import make_raw, message_id_of
from anliegen.tickets.models import Message

pytestmark = [pytest.mark.django_db, pytest.mark.imap]


def make_mailbox(dovecot, team, *, name: str = "Service", user: str = "service", **fields) -> Mailbox:
    fields.setdefault("address", f"{user}@anliegen.example")
    return Mailbox.objects.create(
        name=name, team=team, imap_host=dovecot.host, imap_port=dovecot.port, imap_user=user,
        imap_password=dovecot.users[user], use_ssl=False, **fields,
    )


def seen(dovecot, user: str = "service", folder: str = "INBOX") -> dict[str, bool]:
    return {mid.strip("<>"): "\\Seen" in flags for _uid, flags, mid in dovecot.messages(user, folder)}


def test_it_stores_each_unseen_mail_once_and_flags_it_seen(dovecot, world):
    mailbox = make_mailbox(dovecot, world.support)
    raws = [make_raw(sender=f"Kunde {i} <kunde{i}@example.net>", subject=f"Frage {i}") for i in range(3)]
    dovecot.deliver(raws)

    [result] = imap.poll_all()

    assert (result.fetched, result.stored, result.acknowledged, result.errors) == (3, 3, 3, [])
    ids = [message_id_of(r) for r in raws]
    for mid in ids:
        message = Message.objects.get(message_id=mid)
        assert message.ticket.team == world.support
    assert InboundMail.objects.filter(mailbox=mailbox, source="imap").count() == 3
    assert seen(dovecot) == dict.fromkeys(ids, True)
    mailbox.refresh_from_db()
    assert mailbox.last_polled_at is not None and mailbox.last_error == ""

    [again] = imap.poll_all()
    assert again.fetched == 0 and InboundMail.objects.count() == 3


def test_it_fetches_a_mail_again_when_flagging_failed_and_stores_it_once(dovecot, world, monkeypatch):
    mailbox = make_mailbox(dovecot, world.support)
    raw = make_raw(subject="Rechnung falsch")
    dovecot.deliver([raw])
    real_acknowledge = imap._acknowledge

    def broken(box, mailbox, uids):
        raise ConnectionResetError("connection lost while flagging")

    monkeypatch.setattr(imap, "_acknowledge", broken)
    [first] = imap.poll_all()
    assert first.stored == 1 and first.errors and "connection lost" in first.errors[0]
    assert seen(dovecot) == {message_id_of(raw): False}
    mailbox.refresh_from_db()
    assert "connection lost" in mailbox.last_error

    monkeypatch.setattr(imap, "_acknowledge", real_acknowledge)
    [second] = imap.poll_all()
    assert (second.fetched, second.stored, second.duplicates, second.acknowledged) == (1, 0, 1, 1)
    assert Message.objects.filter(message_id=message_id_of(raw)).count() == 1
    assert InboundMail.objects.count() == 1
    assert seen(dovecot) == {message_id_of(raw): True}
    mailbox.refresh_from_db()
    assert mailbox.last_error == ""


def test_it_moves_stored_mail_to_the_processed_folder(dovecot, world):
    make_mailbox(dovecot, world.support, processed_folder="Anliegen")
    raws = [make_raw(subject=f"Verschieben {i}", sender=f"k{i}@example.net") for i in range(2)]
    dovecot.deliver(raws)

    [result] = imap.poll_all()

    assert result.stored == 2 and not result.errors
    assert dovecot.messages("service", "INBOX") == []
    assert seen(dovecot, folder="Anliegen") == {message_id_of(r): True for r in raws}


def test_it_does_not_acknowledge_a_chunk_the_database_could_not_store(dovecot, world, monkeypatch):
    """A chunk is stored in one transaction: when the database fails on its second mail,
    nothing of the chunk is kept, so none of it is acknowledged, and the next poll stores all."""
    from anliegen.mail import ingest

    make_mailbox(dovecot, world.support)
    raws = [make_raw(subject=f"Teil {i}", sender=f"t{i}@example.net") for i in range(3)]
    dovecot.deliver(raws)
    real_ingest = ingest._ingest_one
    calls = []

    def flaky(raw, **kwargs):
        calls.append(raw)
        if len(calls) == 2:
            raise OperationalError("database is locked")
        return real_ingest(raw, **kwargs)

    monkeypatch.setattr(ingest, "_ingest_one", flaky)
    [result] = imap.poll_all()

    assert result.stored == 0 and result.acknowledged == 0 and "database is locked" in result.errors[0]
    assert set(seen(dovecot).values()) == {False}
    assert InboundMail.objects.count() == 0

    monkeypatch.setattr(ingest, "_ingest_one", real_ingest)
    [result] = imap.poll_all()
    assert result.stored == 3 and result.acknowledged == 3 and not result.errors
    assert set(seen(dovecot).values()) == {True}
    assert InboundMail.objects.count() == 3


def test_it_acknowledges_the_mails_stored_before_one_that_failed(dovecot, world, monkeypatch):
    """Another error for one mail: ingest_mails keeps the mails before it and raises; those
    are acknowledged, the failed one and the rest are fetched again."""
    from anliegen.mail import ingest

    make_mailbox(dovecot, world.support)
    raws = [make_raw(subject=f"Teil {i}", sender=f"t{i}@example.net") for i in range(3)]
    dovecot.deliver(raws)
    real_ingest = ingest._ingest_one

    def failing(raw, **kwargs):
        if b"Subject: Teil 1" in raw:
            raise OSError("disk gone")
        return real_ingest(raw, **kwargs)

    monkeypatch.setattr(ingest, "_ingest_one", failing)
    [result] = imap.poll_all()
    assert result.stored == 1 and result.acknowledged == 1 and "disk gone" in result.errors[0]
    flags = seen(dovecot)
    assert flags[message_id_of(raws[0])] is True
    assert flags[message_id_of(raws[1])] is False and flags[message_id_of(raws[2])] is False


def test_it_acknowledges_an_unreadable_mail_after_keeping_it_in_quarantine(dovecot, world):
    make_mailbox(dovecot, world.support)
    dovecot.deliver([b"\x00\x01 not a mail at all \xff\r\n"])

    [result] = imap.poll_all()

    assert result.quarantined == 1 and result.acknowledged == 1
    assert Quarantine.objects.filter(source="imap").count() == 1
    assert [flags for _uid, flags, _mid in dovecot.messages()] == [("\\Seen",)]


def test_a_broken_mailbox_does_not_stop_the_others(dovecot, world):
    # (A wrong password would do as well, but Dovecot then slows down every later login.)
    broken = make_mailbox(dovecot, world.support, name="Broken", address="broken@anliegen.example",
                          imap_folder="Does/Not/Exist")
    gone = make_mailbox(dovecot, world.support, name="Unreachable", address="gone@anliegen.example")
    Mailbox.objects.filter(pk=gone.pk).update(imap_port=1)  # nothing listens there
    make_mailbox(dovecot, world.commercial, name="Sales", user="sales")
    raw = make_raw(subject="Angebot", sender="einkauf@example.net")
    dovecot.deliver([raw], user="sales")

    results = {r.mailbox: r for r in imap.poll_all()}

    assert results["Broken"].errors and results["Unreachable"].errors and results["Sales"].stored == 1
    for mailbox in (broken, gone):
        mailbox.refresh_from_db()
        assert mailbox.last_error and mailbox.last_polled_at is not None
    assert Message.objects.get(message_id=message_id_of(raw)).ticket.team == world.commercial


def test_it_skips_disabled_mailboxes(dovecot, world):
    make_mailbox(dovecot, world.support, enabled=False)
    dovecot.deliver([make_raw()])
    assert imap.poll_all() == []
    assert InboundMail.objects.count() == 0


def test_it_polls_in_batches(dovecot, world, settings):
    settings.MAIL_IMAP_BATCH = 4
    make_mailbox(dovecot, world.support)
    dovecot.deliver(make_raw(subject=f"Stapel {i}", sender=f"s{i}@example.net") for i in range(10))
    [result] = imap.poll_all()
    assert (result.fetched, result.stored, result.acknowledged) == (10, 10, 10)


def test_it_polls_once_from_the_command_line(dovecot, world, capsys):
    make_mailbox(dovecot, world.support)
    dovecot.deliver([make_raw(subject="Per Kommando")])

    call_command("poll_mail", "--once")

    assert "1 fetched, 1 stored" in capsys.readouterr().out
    assert InboundMail.objects.count() == 1


def test_the_command_fails_when_a_mailbox_cannot_be_polled(dovecot, world):
    mailbox = make_mailbox(dovecot, world.support)
    Mailbox.objects.filter(pk=mailbox.pk).update(imap_port=1)  # nothing listens there
    with pytest.raises(CommandError):
        call_command("poll_mail", "--once")
