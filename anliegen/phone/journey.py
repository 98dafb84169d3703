"""The customer's journey: one timeline of every contact across e-mail, phone and portal — the
messages of all the customer's cases the viewer may see, and the callbacks on them.

Reads only. The caller passes the cases already filtered by tickets.access."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from anliegen.phone.models import Callback, CallbackStatus
from anliegen.tickets.models import ACTIVE_STATUSES, Channel, Message, MessageKind, Ticket

# Icon names (tickets.icons) per channel.
ICONS = {
    Channel.EMAIL: "mail", Channel.PHONE: "phone", Channel.PORTAL: "globe", Channel.WEBFORM: "form", Channel.INTERNAL: "lock",
}
CHANNEL_LABELS = dict(Channel.choices)


@dataclass
class Entry:
    at: datetime.datetime
    kind: str  # inbound, reply, note, callback_booked, callback_done, callback_cancelled
    channel: str
    ticket: Ticket
    who: str = ""
    text: str = ""
    direction: str = ""
    callback: Callback | None = None
    taken_by: str = ""
    sort_key: tuple[datetime.datetime, int, int] = field(default=(datetime.datetime.min, 0, 0))

    @property
    def icon(self) -> str:
        return ICONS.get(self.channel, "form")

    @property
    def channel_label(self) -> str:
        return str(CHANNEL_LABELS.get(self.channel, self.channel))


@dataclass
class Page:
    entries: list[Entry]  # oldest first
    earlier_cursor: str  # "" when there is nothing earlier


def parse_cursor(value: str) -> datetime.datetime | None:
    try:
        parsed = datetime.datetime.fromisoformat(value.strip().replace(" ", "+"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def _message_entry(m: Message) -> Entry:
    if m.is_call:
        who = str(m.ticket.customer if m.author_user_id else (m.author_customer or m.sender))
        direction = str(_("call note"))
    elif m.kind == MessageKind.INBOUND:
        who = str(m.author_customer or m.sender)
        direction = str(_("from the customer"))
    elif m.kind == MessageKind.REPLY:
        who = str(m.author_user or m.sender)
        direction = str(_("to the customer"))
    else:
        who = str(m.author_user or m.sender)
        direction = str(_("internal note"))
    call = (m.meta or {}).get("call") or {}
    return Entry(at=m.created_at, kind=m.kind, channel=m.channel, ticket=m.ticket, who=who, text=m.text,
                 direction=direction, taken_by=str(call.get("taken_by_name", "")),
                 sort_key=(m.created_at, 0, m.pk))


def _callback_entries(cb: Callback) -> list[Entry]:
    whom = f"{cb.team} / {cb.agent}" if cb.agent_id else str(cb.team)
    entries = [Entry(at=cb.created_at, kind="callback_booked", channel=Channel.PHONE, ticket=cb.ticket,
                     who=str(cb.created_by or cb.created_label), text=cb.note, direction=whom, callback=cb,
                     sort_key=(cb.created_at, 1, cb.pk))]
    if cb.done_at is not None and cb.status != CallbackStatus.OPEN:
        kind = "callback_done" if cb.status == CallbackStatus.DONE else "callback_cancelled"
        entries.append(Entry(at=cb.done_at, kind=kind, channel=Channel.PHONE, ticket=cb.ticket,
                             who=str(cb.done_by or ""), text=cb.outcome_note, direction=whom, callback=cb,
                             sort_key=(cb.done_at, 2, cb.pk)))
    return entries


def timeline(cases: QuerySet[Ticket], *, before: datetime.datetime | None = None, limit: int = 100,
             with_notes: bool = False) -> Page:
    """The latest `limit` entries before `before` (all, if None), returned oldest first."""
    messages = Message.objects.filter(ticket__in=cases).select_related(
        "ticket__customer", "author_user", "author_customer").defer("html")
    if with_notes:
        # The callback actions' own notes are shown as callback entries instead.
        messages = messages.exclude(kind=MessageKind.NOTE, meta__has_key="callback")
    else:
        messages = messages.exclude(kind=MessageKind.NOTE)
    callbacks = Callback.objects.filter(ticket__in=cases).select_related("ticket", "team", "agent", "created_by",
                                                                         "done_by")
    if before is not None:
        messages = messages.filter(created_at__lt=before)
        callbacks = callbacks.filter(Q(created_at__lt=before) | Q(done_at__lt=before))
    entries = [_message_entry(m) for m in messages.order_by("-created_at", "-id")[: limit + 1]]
    for cb in callbacks.order_by("-created_at", "-id")[: 2 * limit + 1]:
        entries.extend(e for e in _callback_entries(cb) if before is None or e.at < before)
    entries.sort(key=lambda e: e.sort_key, reverse=True)
    shown = entries[:limit]
    cursor = shown[-1].at.isoformat() if len(entries) > limit and shown else ""
    shown.reverse()
    return Page(entries=shown, earlier_cursor=cursor)


@dataclass
class Summary:
    cases: int
    open_cases: int
    contacts: list[tuple[str, str, int]]  # (icon, channel label, count of the customer's messages)
    first_contact: datetime.datetime | None
    last_contact: datetime.datetime | None
    callbacks_open: int


def summary(cases: QuerySet[Ticket]) -> Summary:
    counts = cases.aggregate(total=Count("id"), active=Count("id", filter=Q(status__in=ACTIVE_STATUSES)))
    inbound = Message.objects.filter(ticket__in=cases, kind=MessageKind.INBOUND)
    per_channel = {row["channel"]: row["n"] for row in inbound.values("channel").annotate(n=Count("id"))}
    span = inbound.aggregate(first=Min("created_at"), last=Max("created_at"))
    contacts = [(ICONS.get(c, "form"), str(label), per_channel[c]) for c, label in Channel.choices if per_channel.get(c)]
    return Summary(
        cases=counts["total"], open_cases=counts["active"], contacts=contacts, first_contact=span["first"],
        last_contact=span["last"],
        callbacks_open=Callback.objects.filter(ticket__in=cases, status=CallbackStatus.OPEN).count(),
    )
