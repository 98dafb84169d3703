"""A customer's message gets its language before it is stored, and is indexed once, in it."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from anliegen import testing
from anliegen.customers.actions import create_customer
from anliegen.tickets import actions, hooks
from anliegen.tickets.models import Message, Ticket

GERMAN = "Guten Tag, meine letzte Rechnung wurde doppelt abgebucht. Bitte erstatten Sie mir den Betrag."
DANISH = "Hej, jeg har stadig ikke modtaget min refusion, selvom I lovede den i sidste uge."


def _index_writes(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries
            if "SET search" in q["sql"] or "INSERT INTO tickets_message_fts" in q["sql"]]


def _language_updates(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries
            if q["sql"].startswith('UPDATE "tickets_message"') and '"language"' in q["sql"]]


def test_it_indexes_a_new_case_once_in_its_detected_language(world):
    customer = create_customer(name="Jonas Weber", emails=["jonas@example.de"])
    with CaptureQueriesContext(connection) as queries:
        ticket = actions.create_ticket(subject="Abbuchung", customer=customer, team=world.support, text=GERMAN)
    assert len(_index_writes(queries)) == 1
    assert _language_updates(queries) == []
    message = Message.objects.get(ticket=ticket)
    assert message.language == "de" and Ticket.objects.get(pk=ticket.pk).language == "de"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT search::text FROM tickets_message WHERE id = %s", [message.pk])
            assert "'rechnung'" in cursor.fetchone()[0]  # German stemming, not the simple configuration


def test_it_gives_the_hooks_a_message_that_already_has_its_language(world, monkeypatch):
    seen = []

    def watch(*, ticket, message, **_kwargs):
        seen.append((message.language, Message.objects.get(pk=message.pk).language, ticket.language,
                     message.language_confidence))

    monkeypatch.setitem(hooks._hooks, "message_added", list(hooks._hooks["message_added"]))  # restored after
    hooks.register("message_added", watch)
    ticket = testing.make_ticket(team=world.support, customer=create_customer(name="Kim", emails=["k@x.dk"]),
                                 text=DANISH)
    actions.add_customer_message(ticket=ticket, customer=ticket.customer, text=GERMAN)
    assert [s[:3] for s in seen] == [("da", "da", "da"), ("de", "de", "da")]
    assert all(0 < s[3] <= 1 for s in seen)


def test_it_gives_a_case_without_a_language_the_first_one_found(world):
    customer = create_customer(name="Kim", emails=["k@x.dk"])
    ticket = actions.create_ticket(subject="#4711", customer=customer, team=world.support, text="+45 12 34 56 78")
    assert Ticket.objects.get(pk=ticket.pk).language == ""
    actions.add_customer_message(ticket=ticket, customer=customer, text=DANISH, reopen=False)
    assert Ticket.objects.get(pk=ticket.pk).language == "da"
