"""Threading: references, the case token, the careful subject fallback, and replies that
arrive before their original."""

import datetime

import pytest
from django.utils import timezone

from anliegen.mail.ingest import ingest_mail
from anliegen.mail.models import Outbox, Outcome, PendingReply
from anliegen.mail.parse import format_case_token
from anliegen.mail.tests.rawmail import make_raw
from anliegen.mail.threading import normalise_subject
from anliegen.tickets.actions import add_reply, merge_tickets, set_status
from anliegen.tickets.models import Message, Status, Ticket

pytestmark = pytest.mark.django_db


def _new_case(**kwargs):
    return ingest_mail(make_raw(**kwargs), source="imap")


def test_it_threads_by_in_reply_to(world):
    first = _new_case(subject="Router startet nicht")
    reply = ingest_mail(make_raw(subject="Noch etwas", in_reply_to=first.inbound.message_id), source="imap")
    assert reply.outcome == Outcome.APPENDED and reply.ticket == first.ticket
    assert reply.inbound.threaded_by == "references"
    assert first.ticket.messages.count() == 2


def test_it_threads_by_an_older_reference(world):
    first = _new_case()
    raw = make_raw(subject="Anderes Thema", in_reply_to="unknown@elsewhere.example",
                   references=[first.inbound.message_id, "unknown@elsewhere.example"])
    assert ingest_mail(raw, source="imap").ticket == first.ticket


def test_it_threads_a_reply_to_our_outbound_mail(world):
    reply = add_reply(ticket=world.ticket, author=world.agent, text="Bitte starten Sie neu.")
    Message.objects.filter(pk=reply.pk).update(message_id="a-100001.1@anliegen.example")
    answer = make_raw(subject="Re: Ihr Anliegen", in_reply_to="a-100001.1@anliegen.example")
    result = ingest_mail(answer, source="imap")
    assert result.ticket == world.ticket and result.outcome == Outcome.APPENDED


def test_it_threads_a_reply_to_an_outbox_message_id(world):
    Outbox.objects.create(ticket=world.ticket, to="erika@example.org", subject="Ihr Anliegen",
                          message_id="ack.7@anliegen.example", created_at=timezone.now())
    result = ingest_mail(make_raw(subject="Danke", in_reply_to="ack.7@anliegen.example"), source="imap")
    assert result.ticket == world.ticket and result.inbound.threaded_by == "outbox"


def test_it_follows_a_merged_case(world):
    first = _new_case(subject="Erste Mail")
    second = _new_case(subject="Zweite Mail")
    merge_tickets(source=first.ticket, target=second.ticket, actor=world.agent)
    reply = ingest_mail(make_raw(subject="Re: Erste Mail", in_reply_to=first.inbound.message_id), source="imap")
    assert reply.ticket == second.ticket


def test_it_threads_by_the_case_token_from_the_customer(world):
    subject = f"Nachtrag {format_case_token(world.ticket.number)}"
    result = ingest_mail(make_raw(sender="erika@example.org", subject=subject), source="imap")
    assert result.ticket == world.ticket and result.inbound.threaded_by == "token"


def test_it_threads_by_the_case_token_from_a_colleague_at_the_same_domain(world):
    subject = f"AW: {format_case_token(world.ticket.number)} Router"
    result = ingest_mail(make_raw(sender="kollege@example.org", subject=subject), source="imap")
    assert result.ticket == world.ticket


def test_it_ignores_the_case_token_from_a_stranger(world):
    subject = f"Ich will auch {format_case_token(world.ticket.number)}"
    result = ingest_mail(make_raw(sender="fremder@other.example", subject=subject), source="imap")
    assert result.outcome == Outcome.CREATED and result.ticket != world.ticket
    assert world.ticket.messages.count() == 1


def test_it_ignores_the_case_token_from_the_same_freemail_domain(world):
    from anliegen.testing import make_customer, make_ticket
    customer = make_customer(email="a.kunde@gmail.com")
    ticket = make_ticket(team=world.support, customer=customer)
    subject = f"Re: {format_case_token(ticket.number)}"
    result = ingest_mail(make_raw(sender="b.fremder@gmail.com", subject=subject), source="imap")
    assert result.ticket != ticket


def test_it_ignores_a_token_for_a_case_that_does_not_exist(world):
    result = ingest_mail(make_raw(subject="Re: [#A-999999] Frage"), source="imap")
    assert result.outcome == Outcome.CREATED


def test_it_joins_a_reply_by_subject_on_an_open_case(world):
    first = _new_case(subject="Lieferung fehlt")
    result = ingest_mail(make_raw(subject="AW: Lieferung fehlt"), source="imap")
    assert result.ticket == first.ticket and result.inbound.threaded_by == "subject"


def test_it_does_not_join_by_subject_without_a_reply_prefix(world):
    first = _new_case(subject="Lieferung fehlt")
    result = ingest_mail(make_raw(subject="Lieferung fehlt"), source="imap")
    assert result.outcome == Outcome.CREATED and result.ticket != first.ticket


def test_it_does_not_join_by_subject_from_another_sender(world):
    first = _new_case(subject="Lieferung fehlt")
    result = ingest_mail(make_raw(sender="jemand@other.example", subject="Re: Lieferung fehlt"), source="imap")
    assert result.ticket != first.ticket


def test_it_does_not_join_by_subject_on_a_solved_or_old_case(world):
    first = _new_case(subject="Lieferung fehlt")
    set_status(ticket=first.ticket, status=Status.SOLVED, actor=world.agent)
    assert ingest_mail(make_raw(subject="SV: Lieferung fehlt"), source="imap").ticket != first.ticket
    second = _new_case(subject="Rechnung falsch")
    Ticket.objects.filter(pk=second.ticket.pk).update(last_activity_at=timezone.now() - datetime.timedelta(days=30))
    assert ingest_mail(make_raw(subject="Re: Rechnung falsch"), source="imap").ticket != second.ticket


def test_it_joins_a_reply_that_arrived_before_its_original(world):
    original = make_raw(sender="Jens <jens@example.dk>", subject="Faktura", message_id="orig-1@example.dk")
    reply = make_raw(sender="Kollega <kollega@example.dk>", subject="SV: Faktura", in_reply_to="orig-1@example.dk",
                     references=["orig-1@example.dk"], text="Jeg har samme problem.")

    early = ingest_mail(reply, source="imap")
    assert early.outcome == Outcome.CREATED
    assert PendingReply.objects.filter(referenced_id="orig-1@example.dk", resolved_at__isnull=True).count() == 1

    late = ingest_mail(original, source="imap")
    assert late.outcome == Outcome.CREATED
    early.ticket.refresh_from_db()
    assert early.ticket.merged_into == late.ticket and early.ticket.status == Status.CLOSED
    texts = list(late.ticket.messages.values_list("message_id", flat=True))
    assert set(texts) == {"orig-1@example.dk", Message.objects.get(text__startswith="Jeg har").message_id}
    assert late.ticket.subject == "Faktura"
    assert not PendingReply.objects.filter(resolved_at__isnull=True).exists()
    # a later reply in the thread finds the joined case
    later = ingest_mail(make_raw(sender="jens@example.dk", subject="SV: SV: Faktura",
                                 in_reply_to=early.inbound.message_id), source="imap")
    assert later.ticket == late.ticket


def test_it_joins_an_early_reply_into_the_case_its_original_threads_to(world):
    # The original is itself an answer on an existing case; the early reply's case joins that.
    reply = make_raw(sender="erika@example.org", subject="Re: Re: Router", in_reply_to="late-orig@example.org")
    early = ingest_mail(reply, source="imap")
    first_message_id = "first@example.org"
    Message.objects.filter(ticket=world.ticket).update(message_id=first_message_id)
    original = make_raw(sender="erika@example.org", subject="Re: Router", message_id="late-orig@example.org",
                        in_reply_to=first_message_id)
    late = ingest_mail(original, source="imap")
    assert late.ticket == world.ticket
    early.ticket.refresh_from_db()
    assert early.ticket.merged_into == world.ticket
    assert world.ticket.messages.count() == 3


def test_it_moves_an_early_reply_that_joined_another_case_by_subject(world):
    """The reply came before its original and joined the same customer's other open case by
    subject; when the original arrives, its References prove where the reply belongs: that
    one message moves (with its attachment, history and search entry), the case stays."""
    from anliegen.mail.models import InboundMail
    from anliegen.tickets.models import Attachment, Event
    from anliegen.tickets.search import search_tickets

    first = _new_case(subject="Lieferung fehlt")
    reply = make_raw(subject="Re: Lieferung fehlt", in_reply_to="missing@example.org",
                     text="Die Sendung mit dem Wasserkocher ist nie angekommen.",
                     attachments=[("beleg.pdf", "application/pdf", b"%PDF-1.4 beleg")])
    joined = ingest_mail(reply, source="imap")
    assert joined.ticket == first.ticket and joined.inbound.threaded_by == "subject"
    original = make_raw(subject="Lieferung fehlt (2)", message_id="missing@example.org")
    late = ingest_mail(original, source="imap")

    first.ticket.refresh_from_db()
    late.ticket.refresh_from_db()
    assert first.ticket.merged_into is None  # a case with other mail is never merged away
    assert late.ticket != first.ticket
    moved = Message.objects.get(pk=joined.inbound.ticket_message_id)
    assert moved.ticket_id == late.ticket.pk
    assert Attachment.objects.get(message=moved).filename == "beleg.pdf"
    assert (first.ticket.message_count, late.ticket.message_count) == (1, 2)
    assert first.ticket.messages.count() == 1 and late.ticket.messages.count() == 2
    assert InboundMail.objects.get(pk=joined.inbound.pk).ticket_id == late.ticket.pk
    for case in (first.ticket, late.ticket):
        event = Event.objects.get(ticket=case, kind="message_moved")
        assert (event.before, event.after) == (first.ticket.number, late.ticket.number)
    found = search_tickets(Ticket.objects.all(), "Wasserkocher")
    assert list(found.values_list("pk", flat=True)) == [late.ticket.pk]


def test_it_joins_a_thread_whose_replies_all_came_before_the_original(world):
    # Delivery order: the third reply (In-Reply-To the second only), the second (answering the
    # first), the original, the first. The second joins the third's case by subject; when the
    # original comes, that case joins it, and the first reply finds it by reference.
    sender = "Erika <erika@example.org>"
    third = ingest_mail(make_raw(sender=sender, subject="Re: Rechnung doppelt", message_id="r3@example.org",
                                 in_reply_to="r2@example.org"), source="imap")
    second = ingest_mail(make_raw(sender=sender, subject="Re: Rechnung doppelt", message_id="r2@example.org",
                                  in_reply_to="r1@example.org", references=["o@example.org", "r1@example.org"]),
                         source="imap")
    assert second.ticket == third.ticket and second.inbound.threaded_by == "subject"
    original = ingest_mail(make_raw(sender=sender, subject="Rechnung doppelt", message_id="o@example.org"),
                           source="imap")
    first = ingest_mail(make_raw(sender=sender, subject="Re: Rechnung doppelt", message_id="r1@example.org",
                                 in_reply_to="o@example.org", references=["o@example.org"]), source="imap")
    third.ticket.refresh_from_db()
    assert third.ticket.merged_into == original.ticket
    assert first.ticket == original.ticket
    assert set(original.ticket.messages.values_list("message_id", flat=True)) == {
        "o@example.org", "r1@example.org", "r2@example.org", "r3@example.org"}


@pytest.mark.parametrize(("subject", "expected"), [
    ("Re: Rechnung", "rechnung"),
    ("AW: WG: Fwd: Rechnung", "rechnung"),
    ("SV: SV:  Faktura  forkert", "faktura forkert"),
    ("Re[2]: Rechnung", "rechnung"),
    ("RE: [#A-100042] Rechnung", "rechnung"),
    ("[kunden-liste] Re: Rechnung", "rechnung"),
    ("Rechnung", "rechnung"),
    ("Re: ", ""),
])
def test_it_normalises_subjects(subject, expected):
    assert normalise_subject(subject) == expected
