"""ingest_mails: many mails in one transaction store what ingest_mail stores one by one; a bad
mail is quarantined without losing the others."""

import pytest

from anliegen.mail import ingest
from anliegen.mail.ingest import ingest_mails
from anliegen.mail.models import InboundMail, Outcome, PendingReply, Quarantine
from anliegen.mail.tests.rawmail import make_raw
from anliegen.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_a_batch_stores_each_mail_as_one_by_one(world):
    first = make_raw(subject="Kündigung Festnetz", message_id="orig@example.org")
    early_reply = make_raw(subject="Re: Kündigung Festnetz", in_reply_to="orig@example.org")
    other = make_raw(sender="neu@example.net", subject="Rechnung doppelt")
    seen = []
    results = ingest_mails([early_reply, first, other, first, b"\x00\x00 nothing readable"],
                           source="import", each=seen.append)

    assert [r.outcome for r in results] == [Outcome.CREATED, Outcome.CREATED, Outcome.CREATED,
                                            Outcome.DUPLICATE, ingest.QUARANTINED]
    assert seen == results
    # The reply that came first joined its original's case when the original arrived.
    reply_case, original_case = (Ticket.objects.get(pk=r.ticket.pk) for r in results[:2])
    assert reply_case.merged_into_id == original_case.pk
    assert results[1].ticket.messages.count() == 2
    assert not PendingReply.objects.filter(resolved_at__isnull=True).exists()
    assert results[3].ticket == results[1].ticket and not results[3].stored
    assert InboundMail.objects.count() == 3 and Quarantine.objects.count() == 1


def test_an_error_that_escapes_keeps_the_mails_before_it(world, monkeypatch):
    good = make_raw(sender="eins@example.net", subject="Eins")
    bad = make_raw(sender="zwei@example.net", subject="Zwei")
    after = make_raw(sender="drei@example.net", subject="Drei")
    real = ingest._ingest_one

    def failing(raw, **kwargs):
        if raw == bad:
            raise OSError("disk gone")
        return real(raw, **kwargs)

    monkeypatch.setattr(ingest, "_ingest_one", failing)
    seen = []
    with pytest.raises(OSError, match="disk gone"):
        ingest_mails([good, bad, after], source="import", each=seen.append)
    assert [r.outcome for r in seen] == [Outcome.CREATED]
    assert list(InboundMail.objects.values_list("sender", flat=True)) == ["eins@example.net"]


def test_a_new_customer_of_a_quarantined_mail_is_not_reused_by_the_next_mail(world, monkeypatch):
    """The batch looks customers up once; a customer created by a mail whose savepoint was
    rolled back no longer exists, so the sender's next mail must create it again."""
    from anliegen.customers.models import CustomerEmail
    from anliegen.tickets import actions as ticket_actions

    first = make_raw(sender="neu@example.net", subject="Erste Mail")
    second = make_raw(sender="neu@example.net", subject="Zweite Mail")
    real = ticket_actions.create_ticket
    calls = []

    def failing_once(**kwargs):
        calls.append(kwargs["subject"])
        if len(calls) == 1:
            raise RuntimeError("storage hiccup")
        return real(**kwargs)

    monkeypatch.setattr(ticket_actions, "create_ticket", failing_once)
    results = ingest_mails([first, second], source="import")
    assert [r.outcome for r in results] == [ingest.QUARANTINED, Outcome.CREATED]
    customer = CustomerEmail.objects.get(address="neu@example.net").customer
    assert Ticket.objects.get(pk=results[1].ticket.pk).customer_id == customer.pk


def test_a_batch_finds_mails_and_customers_known_before_with_one_query_each(world):
    """Mails stored before (same bytes) and known senders are found for the whole batch at
    once, not per mail."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    old = [make_raw(sender=f"kunde{n}@example.net", subject=f"Anliegen {n}") for n in range(5)]
    ingest_mails(old, source="import")
    new = [make_raw(sender=f"kunde{n}@example.net", subject=f"Neues Anliegen {n}") for n in range(5)]
    with CaptureQueriesContext(connection) as queries:
        results = ingest_mails([*old, *new], source="import")
    assert [r.stored for r in results] == [False] * 5 + [True] * 5
    hash_lookups = [q for q in queries.captured_queries if '"content_hash" IN' in q["sql"]
                    or '"content_hash" =' in q["sql"]]
    customer_lookups = [q for q in queries.captured_queries if 'FROM "customers_customeremail"' in q["sql"]
                        and ('"address" IN' in q["sql"] or '"address" =' in q["sql"])]
    assert len(hash_lookups) == 1 and len(customer_lookups) == 1
    assert InboundMail.objects.count() == 10
