"""Which case does an incoming mail belong to? Read-only lookups, strongest evidence first:

1. In-Reply-To / References against every Message-ID we stored (inbound mails, our own
   replies in tickets.Message, and the outbox);
2. the case token in the subject ("[#A-100042]"), but only from that case's customer or
   someone at the same (non-freemail) domain, so a stranger cannot write into a case by
   guessing a number;
3. a careful fallback: the same customer answering ("Re:", "AW:", "SV:", ...) with the same
   subject within a few days, on a case that is still open.

A reply that arrives before its original leaves PendingReply rows (see ingest); when the
original arrives, pending_replies_for() finds them."""

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Value
from django.utils import timezone

from anliegen.customers.models import Customer, CustomerEmail
from anliegen.mail.models import InboundMail, Outbox, PendingReply
from anliegen.mail.parse import ParsedMail, find_case_token
from anliegen.tickets.models import ACTIVE_STATUSES, Message, Ticket, parse_number

SUBJECT_WINDOW = datetime.timedelta(days=7)
MAX_REFERENCES = 50
# Everyone at these domains is a stranger to everyone else there.
FREEMAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "yahoo.com", "yahoo.de", "yahoo.co.uk", "hotmail.com", "hotmail.de",
    "outlook.com", "outlook.de", "live.com", "live.de", "live.dk", "msn.com", "icloud.com", "me.com",
    "aol.com", "gmx.de", "gmx.net", "gmx.at", "gmx.ch", "web.de", "t-online.de", "freenet.de", "posteo.de",
    "mailbox.org", "protonmail.com", "proton.me", "mail.dk", "jubii.dk", "hotmail.dk", "yahoo.dk",
    "ofir.dk", "tdcadsl.dk", "email.dk", "mail.com", "gmx.com", "yandex.ru", "mail.ru", "qq.com",
})

_TOKEN_RE = re.compile(r"\[#[A-Z]-?\d{4,}\]")
# Reply and forward prefixes in the languages our customers write (and a few more that
# mail programs put there), with optional counters: "Re[2]:", "AW (3):".
_PREFIX_RE = re.compile(
    r"^\s*(?:re|aw|sv|vs|antw|antwort|wg|fw|fwd|tr|rif|r|odp|ref|vá|ynt|res)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*",
    re.IGNORECASE,
)
_LIST_TAG_RE = re.compile(r"^\s*\[[^\]#]{1,40}\]\s*")


@dataclass(frozen=True)
class ThreadMatch:
    ticket: Ticket
    how: str  # "references", "outbox", "token", "subject"


def strip_prefixes(subject: str) -> tuple[str, bool]:
    """The subject without case tokens, list tags and reply/forward prefixes; and whether
    any reply/forward prefix was there."""
    text = _TOKEN_RE.sub(" ", subject or "")
    had_prefix = False
    while True:
        before = text
        text = _LIST_TAG_RE.sub("", text)
        text, n = _PREFIX_RE.subn("", text, count=1)
        had_prefix = had_prefix or bool(n)
        if text == before:
            break
    return text, had_prefix


def normalise_subject(subject: str) -> str:
    text, _had = strip_prefixes(subject)
    return " ".join(text.split()).casefold()


def follow_merges(ticket: Ticket) -> Ticket:
    """The case a merged case lives on in (merge chains are short; guard against cycles)."""
    seen = {ticket.pk}
    while ticket.merged_into_id and ticket.merged_into_id not in seen:
        seen.add(ticket.merged_into_id)
        ticket = Ticket.objects.get(pk=ticket.merged_into_id)
    return ticket


def referenced_ids(parsed: ParsedMail) -> list[str]:
    """In-Reply-To first, then References from the newest backwards; own id excluded."""
    ordered: list[str] = []
    for mid in [*parsed.in_reply_to, *reversed(parsed.references)]:
        mid = mid.strip()[:300]
        if mid and mid != parsed.message_id and mid not in ordered:
            ordered.append(mid)
    return ordered[:MAX_REFERENCES]


def _by_references(ids: list[str]) -> ThreadMatch | None:
    if not ids:
        return None
    # One query over the three tables. A Message-ID found more than once counts where it is
    # found first: case messages (oldest first), inbound mails (newest first), the outbox
    # (oldest first), as three queries in each table's own order would find it.
    messages = Message.objects.filter(message_id__in=ids).order_by()
    inbound = InboundMail.objects.filter(message_id__in=ids, ticket__isnull=False).order_by()
    outbox = Outbox.objects.filter(message_id__in=ids).order_by()
    rows = messages.values_list("message_id", "ticket_id", Value(0), "created_at", "id").union(
        inbound.values_list("message_id", "ticket_id", Value(1), "received_at", "id"),
        outbox.values_list("message_id", "ticket_id", Value(2), "created_at", "id"), all=True).order_by()
    by_source: dict[int, list[tuple]] = {0: [], 1: [], 2: []}
    for row in rows:
        by_source[row[2]].append(row)
    found: dict[str, tuple[int, str]] = {}
    for source, newest_first in ((0, False), (1, True), (2, False)):
        for mid, ticket_id, _source, _at, _pk in sorted(by_source[source], key=lambda r: (r[3], r[4]),
                                                         reverse=newest_first):
            found.setdefault(mid, (ticket_id, "outbox" if source == 2 else "references"))
    for mid in ids:
        if mid in found:
            ticket_id, how = found[mid]
            return ThreadMatch(follow_merges(Ticket.objects.get(pk=ticket_id)), how)
    return None


def _domain(address: str) -> str:
    return address.rpartition("@")[2].strip().lower()


def sender_may_use_token(address: str, ticket: Ticket) -> bool:
    """The case's customer, or a colleague at the customer's own (non-freemail) domain."""
    address = address.strip().lower()
    addresses = list(CustomerEmail.objects.filter(customer_id=ticket.customer_id).values_list("address", flat=True))
    if address in addresses:
        return True
    domain = _domain(address)
    if not domain or domain in FREEMAIL_DOMAINS:
        return False
    return any(_domain(a) == domain for a in addresses)


def case_number_in(subject: str) -> int | None:
    token = find_case_token(subject)
    if not token:
        return None
    if re.match(r"^[A-Z]\d", token):
        token = f"{token[0]}-{token[1:]}"
    if not token.upper().startswith(settings.CASE_NUMBER_PREFIX.upper() + "-"):
        return None
    return parse_number(token)


def _by_token(parsed: ParsedMail) -> ThreadMatch | None:
    pk = case_number_in(parsed.subject)
    ticket = Ticket.objects.filter(pk=pk).first() if pk else None
    if ticket is None:
        return None
    ticket = follow_merges(ticket)
    if not sender_may_use_token(parsed.from_address, ticket):
        return None
    return ThreadMatch(ticket, "token")


def _by_subject(parsed: ParsedMail, customer: Customer | None) -> ThreadMatch | None:
    if customer is None or customer.pk is None:
        return None
    text, had_prefix = strip_prefixes(parsed.subject)
    wanted = " ".join(text.split()).casefold()
    # Only an answer ("Re: ...") to something, never a fresh mail that happens to share a subject.
    if not had_prefix and not parsed.in_reply_to:
        return None
    if len(wanted) < 3:
        return None
    since = timezone.now() - SUBJECT_WINDOW
    candidates = Ticket.objects.filter(
        customer=customer, status__in=ACTIVE_STATUSES, merged_into__isnull=True, last_activity_at__gte=since,
    ).order_by("-last_activity_at", "-id")[:20]
    for ticket in candidates:
        if normalise_subject(ticket.subject) == wanted:
            return ThreadMatch(ticket, "subject")
    return None


def find_thread(parsed: ParsedMail, *, customer: Customer | None) -> ThreadMatch | None:
    """The case this mail continues, or None for a new case."""
    return (
        _by_references(referenced_ids(parsed))
        or _by_token(parsed)
        or _by_subject(parsed, customer)
    )


def pending_replies_for(message_id: str) -> list[PendingReply]:
    """Replies stored before the original with this Message-ID arrived."""
    if not message_id:
        return []
    return list(
        PendingReply.objects.select_related("inbound", "ticket")
        .filter(referenced_id=message_id[:300], resolved_at__isnull=True).order_by("id")
    )
