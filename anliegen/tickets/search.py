"""Full-text search over cases and their messages.

PostgreSQL: a tsvector column on each message, built with the message's language
configuration (german, danish, english, else simple), GIN-indexed; a query is matched in
all configurations at once. SQLite: an FTS5 table keyed by message id.
Both are created by migration 0002 and maintained here by the actions."""

import re

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from anliegen.tickets.models import Message, Ticket, parse_number

PG_CONFIGS = {"de": "german", "da": "danish", "en": "english"}


def _document(message: Message, ticket: Ticket) -> str:
    return f"{ticket.subject}\n{message.text}"


def index_message(message: Message, ticket: Ticket) -> None:
    document = _document(message, ticket)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            config = PG_CONFIGS.get(message.language or ticket.language, "simple")
            cursor.execute(
                "UPDATE tickets_message SET search = to_tsvector(%s::regconfig, %s) WHERE id = %s",
                [config, document, message.pk],
            )
        else:
            cursor.execute("DELETE FROM tickets_message_fts WHERE rowid = %s", [message.pk])
            cursor.execute(
                "INSERT INTO tickets_message_fts(rowid, ticket_id, body) VALUES (%s, %s, %s)",
                [message.pk, ticket.pk, document],
            )


def language_found(message: Message, ticket: Ticket, before: str) -> None:
    """A message's language was detected after it was indexed (language detection runs in a
    hook once the message is stored): index it again when that changes its PostgreSQL text
    configuration, so its words are stemmed as the language's."""
    if connection.vendor != "postgresql":
        return  # FTS5 indexes words the same in every language
    if PG_CONFIGS.get(before, "simple") != PG_CONFIGS.get(message.language or ticket.language, "simple"):
        index_message(message, ticket)


def reindex_ticket_messages(ticket: Ticket) -> None:
    for message in Message.objects.filter(ticket=ticket).only("id", "text", "language", "ticket_id"):
        index_message(message, ticket)


_WORD = re.compile(r"\w+", re.UNICODE)


def _fts5_query(query: str) -> str:
    # Quote every word so user input can never be FTS5 syntax; prefix-match the last one.
    words = _WORD.findall(query)
    if not words:
        return ""
    parts = [f'"{w}"' for w in words[:-1]] + [f'"{words[-1]}"*']
    return " ".join(parts)


# A word found in at most this many messages is "rare": its cases are looked up by id.
RARE_MESSAGES = 500


def _rare_ticket_ids(sql: str, params: list[object]) -> list[int] | None:
    """The cases of a rare word's messages, or None for a commoner word.

    PostgreSQL cannot estimate how many messages a word matches, and for a word it guesses to
    be common it walks the cases newest first and checks each one's messages: fast when
    matches are dense, a scan of every case (seconds at 1,000,000) when the word is rare. One
    GIN lookup capped at RARE_MESSAGES+1 rows tells the two apart."""
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} LIMIT {RARE_MESSAGES + 1}", params)
        rows = cursor.fetchall()
    if len(rows) > RARE_MESSAGES:
        return None
    return sorted({row[0] for row in rows})


def search_tickets(tickets: QuerySet[Ticket], query: str) -> QuerySet[Ticket]:
    """Narrow an (already permission-filtered) queryset of cases to those matching query."""
    query = query.strip()
    if not query:
        return tickets.none()
    number_match = re.fullmatch(r"#?[A-Za-z]-?\d{4,}|\d{6,}", query)
    if connection.vendor == "postgresql":
        sql = (
            "SELECT m.ticket_id FROM tickets_message m WHERE m.search @@ ("
            "websearch_to_tsquery('german', %s) || websearch_to_tsquery('danish', %s) || "
            "websearch_to_tsquery('english', %s) || websearch_to_tsquery('simple', %s))"
        )
        params: list[object] = [query] * 4
        rare = _rare_ticket_ids(sql, params)
    else:
        fts = _fts5_query(query)
        if not fts:
            return tickets.none()
        sql = "SELECT ticket_id FROM tickets_message_fts WHERE tickets_message_fts MATCH %s"
        params = [fts]
        rare = None
    matched = tickets.filter(pk__in=rare) if rare is not None else tickets.filter(pk__in=RawSQL(sql, params))
    if number_match:
        pk = parse_number(query)
        if pk:
            return tickets.filter(pk=pk) | matched
    return matched
