"""Full-text search over cases and their messages.

PostgreSQL: a tsvector column on each message, built with the message's language
configuration (german, danish, english, else simple), GIN-indexed; a query is matched in
all configurations at once. SQLite: an FTS5 table keyed by message id.
Both are created by migration 0002 and maintained here by the actions."""

import re

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from anliegen.customers.actions import InvalidPhoneNumber, normalise_email, normalise_phone
from anliegen.customers.models import Customer, CustomerEmail, CustomerPhone
from anliegen.tickets.models import Message, Ticket, parse_number

PG_CONFIGS = {"de": "german", "da": "danish", "en": "english"}


def _document(message: Message, ticket: Ticket) -> str:
    return f"{ticket.subject}\n{message.text}"


def index_message(message: Message, ticket: Ticket, *, new: bool = False) -> None:
    """Index a message's text; new: it was just stored, so there is no earlier entry to replace."""
    document = _document(message, ticket)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            config = PG_CONFIGS.get(message.language or ticket.language, "simple")
            cursor.execute(
                "UPDATE tickets_message SET search = to_tsvector(%s::regconfig, %s) WHERE id = %s",
                [config, document, message.pk],
            )
        else:
            if not new:
                cursor.execute("DELETE FROM tickets_message_fts WHERE rowid = %s", [message.pk])
            cursor.execute(
                "INSERT INTO tickets_message_fts(rowid, ticket_id, body) VALUES (%s, %s, %s)",
                [message.pk, ticket.pk, document],
            )


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


# Customers matched by name or organisation beyond this many: the query is too general to
# list every one of their cases (the words still find cases through the messages).
CUSTOMERS_MATCHED = 200
# A phone number as typed: digits with spaces, dashes, dots, slashes, brackets, a leading + or 00.
_PHONE = re.compile(r"\+?[\d\s()./-]{6,}")
_CASE_NUMBER = re.compile(r"#?[A-Za-z]-?\d{4,}|#?\d{6,}")


def phone_of(query: str, region: str = "") -> str:
    """The E.164 number a query typed like a phone number means, else ""."""
    if not _PHONE.fullmatch(query) or sum(ch.isdigit() for ch in query) < 6:
        return ""
    try:
        return normalise_phone(query, region)
    except InvalidPhoneNumber:
        return ""


def matching_customers(query: str, *, region: str = "") -> list[int]:
    """The customers a query names: by e-mail address (whole, or the part before or after the @
    when it contains one), phone number in any usual format, name or organisation."""
    ids: set[int] = set()
    if "@" in query and " " not in query:
        address = normalise_email(query)
        rows = CustomerEmail.objects.filter(address=address) if not address.startswith("@") and \
            not address.endswith("@") else CustomerEmail.objects.filter(address__contains=address)
        ids.update(rows.values_list("customer_id", flat=True)[:CUSTOMERS_MATCHED])
        return sorted(ids)
    number = phone_of(query, region)
    if number:
        ids.update(CustomerPhone.objects.filter(number=number).values_list("customer_id", flat=True))
        return sorted(ids)
    words = query.split()
    if len(query) < 3 or not words:
        return []
    named = Q()
    for word in words:
        named &= Q(name__icontains=word)
    in_organisation = Q(organisation__name__icontains=query)
    found = list(Customer.objects.filter(named | in_organisation, anonymised_at__isnull=True)
                 .values_list("id", flat=True)[:CUSTOMERS_MATCHED + 1])
    if len(found) > CUSTOMERS_MATCHED:
        return []
    return found


def case_for_number(tickets: QuerySet[Ticket], query: str, *, region: str = "") -> Ticket | None:
    """The case a query that is a case number names, if it is among tickets: a search for it
    opens the case at once. Bare digits that are also a customer's phone number are not taken
    for a case number (the search then lists both)."""
    query = query.strip()
    if not _CASE_NUMBER.fullmatch(query):
        return None
    pk = parse_number(query)
    if pk is None:
        return None
    if query.lstrip("#").isdigit() and matching_customers(query, region=region):
        return None
    return tickets.filter(pk=pk).first()


def search_tickets(tickets: QuerySet[Ticket], query: str, *, region: str = "") -> QuerySet[Ticket]:
    """Narrow an (already permission-filtered) queryset of cases to those matching query: words
    of their subject or messages, their number, or their customer (see matching_customers).
    region: the country of a phone number typed without its country code."""
    query = query.strip()
    if not query:
        return tickets.none()
    number_match = _CASE_NUMBER.fullmatch(query)
    customers = matching_customers(query, region=region)
    by_customer = tickets.filter(customer_id__in=customers) if customers else None
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
            return by_customer if by_customer is not None else tickets.none()
        sql = "SELECT ticket_id FROM tickets_message_fts WHERE tickets_message_fts MATCH %s"
        params = [fts]
        rare = None
    matched = tickets.filter(pk__in=rare) if rare is not None else tickets.filter(pk__in=RawSQL(sql, params))
    if by_customer is not None:
        matched = matched | by_customer
    if number_match:
        pk = parse_number(query)
        if pk:
            return tickets.filter(pk=pk) | matched
    return matched
