"""Noise and loops: auto-replies never reopen or get acknowledged; a sender flooding us is
throttled into notes or quarantine, never dropped; our own mail coming back is no case."""

import datetime

import pytest

from anliegen.mail import ingest
from anliegen.mail.ingest import ingest_mail
from anliegen.mail.models import InboundMail, Mailbox, Outcome, Quarantine, SenderRate
from anliegen.mail.tests.rawmail import make_raw
from anliegen.tickets.actions import set_status
from anliegen.tickets.models import MessageKind, Status, Ticket

pytestmark = pytest.mark.django_db

AUTO = {"Auto-Submitted": "auto-replied"}


@pytest.fixture
def loud_box(world):
    return Mailbox.objects.create(name="Service", team=world.support, address="service@anliegen.example",
                                  send_acknowledgement=True)


def test_it_stores_an_auto_reply_without_reopening_the_case(world, loud_box):
    first = ingest_mail(make_raw(subject="Frage"), source="imap", mailbox=loud_box)
    set_status(ticket=first.ticket, status=Status.SOLVED, actor=world.agent)
    auto = make_raw(subject="Abwesenheitsnotiz: Re: Frage", in_reply_to=first.inbound.message_id, headers=AUTO)
    result = ingest_mail(auto, source="imap", mailbox=loud_box)

    assert result.outcome == Outcome.APPENDED and not result.acknowledge
    first.ticket.refresh_from_db()
    assert first.ticket.status == Status.SOLVED
    message = first.ticket.messages.order_by("-id").first()
    assert message.meta["auto_reply"] is True and result.inbound.is_auto_reply


def test_it_never_opens_or_acknowledges_a_case_for_an_auto_reply(world, loud_box):
    result = ingest_mail(make_raw(subject="Out of office", headers=AUTO), source="imap", mailbox=loud_box)
    assert result.outcome == Outcome.AUTOMATIC and result.acknowledge is False and result.ticket is None


def test_it_throttles_a_sender_who_floods_us(world, monkeypatch):
    monkeypatch.setattr(ingest, "LOOP_MAX", 3)
    first = ingest_mail(make_raw(sender="robot@loop.example", subject="Alarm 1"), source="smtp")
    results = [ingest_mail(make_raw(sender="robot@loop.example", subject=f"Alarm {n}",
                                    in_reply_to=first.inbound.message_id), source="smtp") for n in range(2, 7)]

    assert [r.outcome for r in results] == [Outcome.APPENDED, Outcome.APPENDED] + [Outcome.IGNORED_LOOP] * 3
    ticket = first.ticket
    notes = ticket.messages.filter(kind=MessageKind.NOTE)
    assert notes.count() == 3 and all(n.meta["loop"] for n in notes)
    assert InboundMail.objects.filter(outcome=Outcome.IGNORED_LOOP).count() == 3
    assert SenderRate.objects.get(address="robot@loop.example").count == 6


def test_it_quarantines_a_looping_mail_that_has_no_case(world, monkeypatch):
    monkeypatch.setattr(ingest, "LOOP_MAX", 2)
    outcomes = [ingest_mail(make_raw(sender="robot@loop.example", subject=f"Neu {n}"), source="imap").outcome
                for n in range(5)]
    assert outcomes == [Outcome.CREATED, Outcome.CREATED, "quarantined", "quarantined", "quarantined"]
    assert Quarantine.objects.filter(reason__startswith="Mail loop").count() == 3
    assert Ticket.objects.filter(customer__emails__address="robot@loop.example").count() == 2


def test_it_counts_in_a_fresh_window_after_ten_minutes(world, monkeypatch):
    monkeypatch.setattr(ingest, "LOOP_MAX", 1)
    ingest_mail(make_raw(sender="robot@loop.example", subject="A"), source="imap")
    assert ingest_mail(make_raw(sender="robot@loop.example", subject="B"), source="imap").quarantined
    rate = SenderRate.objects.get(address="robot@loop.example")
    SenderRate.objects.filter(pk=rate.pk).update(window_start=rate.window_start - datetime.timedelta(minutes=11))
    assert ingest_mail(make_raw(sender="robot@loop.example", subject="C"), source="imap").outcome == Outcome.CREATED


def test_it_does_not_throttle_an_import(world, monkeypatch):
    monkeypatch.setattr(ingest, "LOOP_MAX", 1)
    outcomes = {ingest_mail(make_raw(sender="archiv@example.org", subject=f"Alt {n}"), source="import").outcome
                for n in range(4)}
    assert outcomes == {Outcome.CREATED}


def test_it_does_not_open_a_case_for_our_own_mail_coming_back(world, loud_box):
    result = ingest_mail(make_raw(sender="service@anliegen.example", subject="Ihr Anliegen"), source="imap")
    assert result.quarantined and "loop" in result.quarantine.reason.lower()
    assert not Ticket.objects.filter(customer__emails__address="service@anliegen.example").exists()


def test_it_notes_our_own_mail_on_its_case(world, loud_box):
    first = ingest_mail(make_raw(subject="Frage"), source="imap", mailbox=loud_box)
    echo = make_raw(sender="service@anliegen.example", subject="Re: Frage", in_reply_to=first.inbound.message_id)
    result = ingest_mail(echo, source="imap", mailbox=loud_box)
    assert result.outcome == Outcome.IGNORED_LOOP and result.ticket == first.ticket
    assert first.ticket.messages.filter(kind=MessageKind.NOTE, meta__loop=True).count() == 1
