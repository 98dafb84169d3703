"""Repeat contact: a customer comes back about the same concern without a solution.

A contact counts when
- a new case (any channel) matches an open or recently solved case of the same customer — by a
  case number quoted in it (thread) or by text similarity over subject and text;
- a solved or closed case is reopened by the customer;
- the customer chases an open case we have not answered since their last contact (after a gap).
The contacts about one concern are a RepeatContact with its ContactLinks. At the Nth contact
within the window the case moves to second level by itself, with the contacts listed.

`similarity` is pure (evaluation.py measures it without a database)."""

import datetime
import logging
import math
import operator
import re
from collections import Counter
from collections.abc import Sequence

from django.conf import settings as django_settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from anliegen.accounts.models import Team, TeamKind
from anliegen.routing.models import ContactKind, ContactLink, RepeatContact, RoutingSettings
from anliegen.tickets import actions
from anliegen.tickets.models import (
    ACTIVE_STATUSES,
    DONE_STATUSES,
    LEVEL_ORDER,
    Channel,
    Level,
    Message,
    MessageKind,
    Status,
    Ticket,
    parse_number,
)

log = logging.getLogger(__name__)
# A chaser sooner than this after the last contact is the same contact continued.
CHASE_GAP = datetime.timedelta(hours=4)
MAX_CANDIDATES = 20

_WORD = re.compile(r"\w+", re.UNICODE)
# Words that say nothing about the concern, in the three languages cases arrive in.
STOPWORDS = frozenset("""
der die das und ist ich nicht mit sie es ein eine einen dem den des zu im in auf für von wir ihr
ihre ihren mein meine meinen mir mich bitte hallo guten tag danke vielen grüße viele sehr geehrte
damen herren noch immer schon seit wie was hat habe haben wird wurde kann können an am um oder
aber auch so dass da kunde kundin ruft rief anruf an erneut wieder heute gestern
og er jeg ikke med de det en et den til i på for af vi min mit mine mig hej tak venlig hilsen
stadig har kan vil blev som at om eller men også så kunden ringer ringede igen i dag
the and is i not with you it a an to in on for of we my me please hello hi thanks regards dear
still have has can will was be at or but also so that this customer calls called again today
""".split())


def tokens(text: str) -> list[str]:
    return [t for t in _WORD.findall(text.lower()) if t not in STOPWORDS and len(t) > 1]


def _char_ngrams(doc: str) -> Counter[str]:
    """Character 3- to 5-grams inside words, each word padded with a space on both sides; a word
    shorter than n counts once as a whole. Counted word by word, n by n, left to right."""
    return Counter([
        padded[i:i + n]
        for padded in [f" {word} " for word in doc.split()]
        for n in (3, 4, 5)
        for i in range(max(1, len(padded) - n + 1))
    ])


class _Doc:
    """One text prepared for `similarity`: its content words, and 1 + log(count) of each n-gram
    in the order the n-grams were first seen (the sums below run in that order)."""

    __slots__ = ("log_tf", "nonempty", "words")

    def __init__(self, text: str) -> None:
        doc = " ".join(tokens(text))
        self.log_tf = {g: 1 + math.log(c) for g, c in _char_ngrams(doc).items()}
        self.words = set(doc.split())
        self.nonempty = bool(doc)


# Prepared candidate texts by text: a customer's earlier cases are compared again with each of
# their new cases. Bounded; the oldest entries go first.
_DOC_CACHE: dict[str, _Doc] = {}
_DOC_CACHE_SIZE = 1024


def _prepared(text: str) -> _Doc:
    doc = _DOC_CACHE.get(text)
    if doc is None:
        if len(_DOC_CACHE) >= _DOC_CACHE_SIZE:
            for old in list(_DOC_CACHE)[: _DOC_CACHE_SIZE // 4]:
                del _DOC_CACHE[old]
        doc = _DOC_CACHE[text] = _Doc(text)
    return doc


def similarity(query: str, candidates: Sequence[str]) -> list[float]:
    """Cosine similarity of the query to each candidate: TF-IDF over character n-grams within
    words (robust to inflection, compounds and typos across German, Danish and English), with
    document frequencies from just these texts, blended with token-set Jaccard over content
    words. Plain Python: a handful of short texts per new case, where a vectoriser library's
    set-up would cost more than the arithmetic. A candidate's n-grams are counted once and kept
    (_prepared); the weighting runs through map/sum, in the same order as a plain loop would."""
    if not candidates:
        return []
    docs = [_Doc(query), *(_prepared(c) for c in candidates)]
    if not any(d.nonempty for d in docs[1:]) or not docs[0].nonempty:
        return [0.0] * len(candidates)
    document_frequency: Counter[str] = Counter()
    for d in docs:
        document_frequency.update(d.log_tf.keys())
    n_docs = len(docs)
    idf_by_df = {df: math.log((1 + n_docs) / (1 + df)) + 1 for df in set(document_frequency.values())}
    idf = {g: idf_by_df[df] for g, df in document_frequency.items()}
    idf_of = idf.__getitem__
    query = docs[0].log_tf
    query_weights = list(map(operator.mul, query.values(), map(idf_of, query)))
    query_norm = math.sqrt(sum(map(operator.mul, query_weights, query_weights))) or 1.0
    query_vector = [(g, w / query_norm) for g, w in zip(query, query_weights, strict=True)]
    query_set = docs[0].words
    scores = []
    for doc in docs[1:]:
        log_tf = doc.log_tf
        weights = list(map(operator.mul, log_tf.values(), map(idf_of, log_tf)))
        norm = math.sqrt(sum(map(operator.mul, weights, weights))) or 1.0
        # A gram the candidate lacks adds 0.0 to the sum: left out, the sum is the same.
        cos = sum([w * ((log_tf[g] * idf[g]) / norm) for g, w in query_vector if g in log_tf])
        other = doc.words
        union = len(query_set | other)
        jaccard = len(query_set & other) / union if union else 0.0
        scores.append(float(0.8 * cos + 0.2 * jaccard))
    return scores


_NUMBER = re.compile(r"\b[A-Z]{1,5}-\d{5,}\b", re.IGNORECASE)


def quoted_case_ids(text: str) -> set[int]:
    found = set()
    for match in _NUMBER.findall(text):
        if match.upper().startswith(django_settings.CASE_NUMBER_PREFIX.upper() + "-"):
            pk = parse_number(match)
            if pk:
                found.add(pk)
    return found


def concern_texts(tickets: Sequence[Ticket], limit: int = 3) -> list[str]:
    """Subject and first customer messages of each case, read in one query for all of them."""
    first: dict[int, list[str]] = {t.pk: [] for t in tickets}
    opening: dict[int, str] = {}
    rows = (Message.objects.filter(ticket_id__in=list(first)).order_by("ticket_id", "created_at", "id")
            .values_list("ticket_id", "kind", "text"))
    for ticket_id, kind, text in rows:
        opening.setdefault(ticket_id, text)
        if kind == MessageKind.INBOUND and len(first[ticket_id]) < limit:
            first[ticket_id].append(text)
    # A case opened by a call note has no customer message: its first message stands in.
    return [" ".join([t.subject, *(x[:2000] for x in (first[t.pk] or [opening.get(t.pk, "")]))])
            for t in tickets]


def counts_as_contact(message: Message) -> bool:
    """Only the customer's own contacts count: mails, portal posts, and calls (a call note on the
    phone channel). An out-of-office note or other automatic mail is not a contact."""
    if message.channel == Channel.INTERNAL:
        return False
    if isinstance(message.meta, dict) and message.meta.get("auto_reply"):
        return False
    return message.kind == MessageKind.INBOUND or (message.kind == MessageKind.NOTE and message.channel == Channel.PHONE)


# --- Matching a new case to the customer's earlier ones -------------------------------------


def find_match(ticket: Ticket, message: Message, settings: RoutingSettings) -> tuple[Ticket, float] | None:
    """The open or recently solved case of the same customer this new case is about, if any."""
    at = message.created_at
    window = datetime.timedelta(days=settings.repeat_window_days)
    candidates = list(
        Ticket.objects.filter(customer_id=ticket.customer_id, merged_into__isnull=True, created_at__lte=at)
        .exclude(pk=ticket.pk)
        .filter(Q(status__in=ACTIVE_STATUSES) | Q(status__in=DONE_STATUSES, solved_at__gte=at - window))
        .order_by("-created_at")[:MAX_CANDIDATES])
    if not candidates:
        return None
    text = f"{ticket.subject} {message.text}"
    quoted = quoted_case_ids(text)
    for candidate in candidates:
        if candidate.pk in quoted:
            return candidate, 1.0
    scores = similarity(text, concern_texts(candidates))
    # Highest score wins; between equal scores, the case active most recently.
    ranked = sorted(zip(candidates, scores, strict=True), key=lambda cs: (cs[1], cs[0].last_activity_at), reverse=True)
    best, score = ranked[0]
    if score >= settings.repeat_min_score:
        return best, score
    return None


# --- Recording contacts ------------------------------------------------------------------------


def _repeat_for(ticket: Ticket) -> RepeatContact | None:
    link = ContactLink.objects.filter(ticket=ticket).select_related("repeat").order_by("-at", "-id").first()
    return link.repeat if link else None


def _start_repeat(ticket: Ticket) -> RepeatContact:
    """A concern record for a case, with its first contact (the case's first customer message)."""
    first = Message.objects.filter(ticket=ticket).order_by("created_at", "id").first()
    at = first.created_at if first else ticket.created_at
    repeat = RepeatContact.objects.create(customer_id=ticket.customer_id, root_ticket=ticket, first_contact_at=at,
                                          last_contact_at=at)
    ContactLink.objects.create(repeat=repeat, ticket=ticket, message_id_ref=first.pk if first else None,
                               kind=ContactKind.FIRST, channel=first.channel if first else ticket.channel, at=at)
    return repeat


def record_new_case(ticket: Ticket, message: Message) -> RepeatContact | None:
    """Called when a case is created: link it to an earlier concern if it matches one."""
    if not counts_as_contact(message):
        return None
    settings = RoutingSettings.load()
    match = find_match(ticket, message, settings)
    if match is None:
        return None
    earlier, score = match
    repeat = _repeat_for(earlier) or _start_repeat(earlier)
    return _add_contact(repeat, ticket, message, ContactKind.NEW_CASE, score, settings)


def record_message(ticket: Ticket, message: Message, status_before: str) -> RepeatContact | None:
    """Called for a later customer message on an existing case (status as it was before it)."""
    if not counts_as_contact(message) or status_before == Status.PENDING:
        return None  # an answer to our question is not coming back
    settings = RoutingSettings.load()
    repeat = _repeat_for(ticket)
    if status_before in DONE_STATUSES:
        kind = ContactKind.REOPENED
    else:
        last_contact = (repeat.last_contact_at if repeat else
                        Message.objects.filter(ticket=ticket).exclude(pk=message.pk).filter(
                            kind=MessageKind.INBOUND).order_by("-created_at").values_list("created_at", flat=True)
                        .first() or ticket.created_at)
        replied_since = Message.objects.filter(ticket=ticket, kind=MessageKind.REPLY,
                                               created_at__gte=last_contact).exists()
        if replied_since or message.created_at - last_contact < CHASE_GAP:
            return None
        kind = ContactKind.FOLLOW_UP
    repeat = repeat or _start_repeat(ticket)
    return _add_contact(repeat, ticket, message, kind, 1.0, settings)


def _add_contact(repeat: RepeatContact, ticket: Ticket, message: Message, kind: str, score: float,
                 settings: RoutingSettings) -> RepeatContact:
    ContactLink.objects.create(repeat=repeat, ticket=ticket, message_id_ref=message.pk, kind=kind,
                               channel=message.channel, score=round(score, 3), at=message.created_at)
    repeat.last_contact_at = message.created_at
    repeat.save(update_fields=["last_contact_at"])
    window_start = message.created_at - datetime.timedelta(days=settings.repeat_window_days)
    contacts = list(repeat.contacts.filter(at__gte=window_start).select_related("ticket"))
    if len(contacts) >= settings.repeat_threshold and repeat.escalated_at is None:
        _escalate(repeat, ticket, contacts)
    return repeat


def contacts_summary(contacts: Sequence[ContactLink]) -> str:
    lines = []
    for n, link in enumerate(contacts, start=1):
        lines.append(_("%(n)s. %(when)s %(channel)s %(number)s — %(kind)s") % {
            "n": n, "when": timezone.localtime(link.at).strftime("%Y-%m-%d %H:%M"),
            "channel": Channel(link.channel).label, "number": link.ticket.number,
            "kind": ContactKind(link.kind).label})
    return "\n".join(lines)


def _escalate(repeat: RepeatContact, ticket: Ticket, contacts: Sequence[ContactLink]) -> None:
    reason = _("Repeat contact: the customer came back %(count)s times about this concern without a "
               "solution.\n%(list)s") % {"count": len(contacts), "list": contacts_summary(contacts)}
    ticket.refresh_from_db()
    second = second_level_team_for(ticket)
    if ticket.merged_into_id:
        return  # (a reopened case is still "solved" here: the reopen is stored right after)
    if LEVEL_ORDER.index(Level(ticket.level)) < LEVEL_ORDER.index(Level.SECOND):
        actions.escalate_ticket(ticket=ticket, reason=reason, actor=None, level=Level.SECOND, team=second,
                                actor_label="routing")
    else:
        actions.add_note(ticket=ticket, author=None, actor_label="routing", text=reason, meta={"repeat": repeat.pk})
        if second and ticket.team_id != second.pk and ticket.level == Level.SECOND:
            actions.move_to_team(ticket=ticket, team=second, actor=None, actor_label="routing", reason=reason)
    actions.tag_ticket(ticket=ticket, add=["repeat-contact"], actor=None, actor_label="routing")
    RepeatContact.objects.filter(pk=repeat.pk).update(escalated_at=timezone.now(), escalated_ticket=ticket)
    repeat.escalated_at, repeat.escalated_ticket = timezone.now(), ticket


def second_level_team_for(ticket: Ticket) -> Team | None:
    """The team second-level work on this case goes to; None keeps it where it is. A case of a
    confidential team stays there (escalated in level only), so no one outside it reads it."""
    if Team.objects.filter(pk=ticket.team_id, confidential=True).exists():
        return None
    return Team.objects.filter(kind=TeamKind.SECOND_LEVEL).order_by("pk").first()


def contact_count(ticket: Ticket) -> int:
    repeat = _repeat_for(ticket)
    return repeat.contacts.count() if repeat else 0
