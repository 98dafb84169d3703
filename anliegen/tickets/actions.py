"""Every write to a case goes through these actions: atomic, locking what they change,
writing a history event. Views, API, commands, mail ingest and tests all call them."""

import dataclasses
import datetime
import enum
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from anliegen.accounts.models import Team, TeamKind, User
from anliegen.customers.actions import get_or_create_customer_by_email
from anliegen.customers.models import Customer
from anliegen.lib import onetime
from anliegen.lib.html import html_to_text, sanitise_html
from anliegen.lib.language import LANGUAGES, detect_language
from anliegen.tickets import hooks, permissions, search
from anliegen.tickets.models import (
    FormSubmission,
    ACTIVE_STATUSES,
    DONE_STATUSES,
    LEVEL_ORDER,
    Attachment,
    Channel,
    Event,
    Level,
    Message,
    MessageKind,
    Presence,
    Priority,
    Status,
    Tag,
    Ticket,
)
from anliegen.tickets.storage import IncomingFile, check_file, store_bytes


class ActionError(ValueError):
    """A request the rules do not allow; the message is for the user."""


def _now() -> datetime.datetime:
    return timezone.now()


def new_message_id() -> str:
    """A fresh Message-ID (without angle brackets) for a mail sent from this case."""
    return f"{uuid.uuid4().hex}@{settings.MAIL_DOMAIN}"


def _record(ticket: Ticket, *, actor: User | None, kind: str, field: str = "", before: Any = None,
            after: Any = None, reason: str = "", actor_label: str = "", at: datetime.datetime | None = None) -> Event:
    event = Event.objects.create(
        ticket=ticket, actor=actor, actor_label=actor_label or ("" if actor else "system"), kind=kind,
        field=field, before=before, after=after, reason=reason, created_at=at or _now(),
    )
    if field:
        hooks.fire("ticket_changed", ticket=ticket, event=event)
    return event


def _lock(ticket: Ticket) -> Ticket:
    """Re-read the case under a row lock so concurrent actions apply one after another."""
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    ticket.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    # A related row read before the lock (the team, the assignee) may no longer be the case's.
    cache = ticket._state.fields_cache
    for name in ("team", "assignee", "customer", "merged_into"):
        if name in cache and getattr(cache[name], "pk", None) != getattr(ticket, f"{name}_id"):
            del cache[name]
    return ticket


def _store_attachments(message: Message, files: Iterable[IncomingFile], *, max_bytes: int | None = None) -> None:
    rows = []
    for f in files:
        check_file(f.filename, len(f.data), max_bytes=max_bytes)
        digest = store_bytes(f.data)
        rows.append(Attachment(
            message=message, filename=f.filename[:255] or "attachment", content_type=f.content_type[:150],
            size=len(f.data), sha256=digest, content_id=f.content_id[:300], inline=f.inline,
        ))
    Attachment.objects.bulk_create(rows)


def customer_language(*, subject: str, text: str, html: str = "") -> tuple[str, float]:
    """The language a customer's message is written in ("de", "da", "en", "other", or "" when
    there is nothing to judge) and how sure the detector is. Detected before the message is
    stored, so it is indexed once, in its language."""
    if not text.strip() and html:
        text = html_to_text(sanitise_html(html))
    detection = detect_language(f"{subject}\n{text}" if subject else text)
    return detection.language[:5], detection.confidence


def _add_message(ticket: Ticket, *, kind: str, channel: str, text: str, html: str = "",
                 author_user: User | None = None, author_customer: Customer | None = None,
                 sender: str = "", subject: str = "", language: str = "", message_id: str = "",
                 attachments: Sequence[IncomingFile] = (), meta: dict[str, Any] | None = None,
                 at: datetime.datetime | None = None, attachment_max_bytes: int | None = None,
                 language_confidence: float = 1.0, count_later: bool = False) -> Message:
    """Store a message on the case. count_later: the caller adds it to message_count in its own
    UPDATE of the case (one statement fewer); the in-memory count is raised at once either way."""
    clean_html = sanitise_html(html) if html else ""
    if not text.strip() and clean_html:
        text = html_to_text(clean_html)
    if not text.strip() and not clean_html and not attachments:
        raise ActionError(_("The message is empty."))
    at = at or _now()
    if kind == MessageKind.INBOUND and not language:
        language, language_confidence = customer_language(subject=subject, text=text)
    message = Message.objects.create(
        ticket=ticket, kind=kind, channel=channel, text=text, html=clean_html, author_user=author_user,
        author_customer=author_customer, sender=sender[:320], subject=subject[:300], language=language,
        message_id=message_id[:300], created_at=at, meta=meta or {},
    )
    message.language_confidence = language_confidence
    _store_attachments(message, attachments, max_bytes=attachment_max_bytes)
    if not count_later:
        Ticket.objects.filter(pk=ticket.pk).update(message_count=F("message_count") + 1)
    ticket.message_count += 1
    search.index_message(message, ticket, new=True)
    hooks.fire("message_added", ticket=ticket, message=message)
    return message


@transaction.atomic
def create_ticket(*, subject: str, customer: Customer, team: Team, channel: str = Channel.EMAIL,
                  text: str, html: str = "", actor: User | None = None, priority: int = Priority.NORMAL,
                  language: str = "", tags: Iterable[str] = (), attachments: Sequence[IncomingFile] = (),
                  sender: str = "", message_id: str = "", level: str = Level.FIRST,
                  first_message_kind: str = MessageKind.INBOUND, meta: dict[str, Any] | None = None,
                  at: datetime.datetime | None = None, actor_label: str = "",
                  attachment_max_bytes: int | None = None, recorded_by: User | None = None) -> Ticket:
    """Open a case with its first message (from the customer, or a call note taken by staff:
    recorded_by is who wrote it down, and the message is theirs, not the customer's words).
    The returned case carries that message as `opening_message` (saves callers a query)."""
    subject = " ".join(subject.split())[:300] or _("(no subject)")
    at = at or _now()
    is_customer = first_message_kind == MessageKind.INBOUND and recorded_by is None
    message_language, confidence = language, 1.0
    if first_message_kind == MessageKind.INBOUND and not language:
        message_language, confidence = customer_language(subject=subject, text=text, html=html)
    ticket = Ticket.objects.create(
        subject=subject, customer=customer, team=team, channel=channel, priority=priority,
        language=language or (message_language if message_language in LANGUAGES else ""), level=level,
        created_at=at, updated_at=at, last_activity_at=at,
    )
    _record(ticket, actor=actor, kind="created", after={"team": team.pk, "channel": channel},
            actor_label=actor_label, at=at)
    message = _add_message(
        ticket, kind=first_message_kind, channel=channel, text=text, html=html,
        author_user=recorded_by or (None if is_customer else actor),
        author_customer=customer if is_customer else None,
        sender=sender or (customer.primary_email if is_customer else str(actor or "")), subject=subject,
        language=message_language, message_id=message_id, attachments=attachments, meta=meta, at=at,
        attachment_max_bytes=attachment_max_bytes, language_confidence=confidence,
    )
    names = [t for t in tags if t.strip()]
    if names:
        _set_tags(ticket, add=names, remove=(), actor=actor, at=at)
    hooks.fire("ticket_created", ticket=ticket, message=message)
    ticket.opening_message = message
    return ticket


def _touch(ticket: Ticket, at: datetime.datetime, **fields: Any) -> None:
    fields.setdefault("updated_at", at)
    Ticket.objects.filter(pk=ticket.pk).update(**fields)
    for key, value in fields.items():
        setattr(ticket, key, value)


@transaction.atomic
def add_customer_message(*, ticket: Ticket, customer: Customer | None, text: str, html: str = "",
                         channel: str = Channel.EMAIL, sender: str = "", subject: str = "",
                         language: str = "", message_id: str = "", attachments: Sequence[IncomingFile] = (),
                         meta: dict[str, Any] | None = None, at: datetime.datetime | None = None,
                         attachment_max_bytes: int | None = None, reopen: bool = True,
                         recorded_by: User | None = None) -> Message:
    """A customer wrote again (mail, portal, ...) or called (recorded_by: the member of staff
    who wrote the call note; the note is theirs). A solved or closed case reopens.

    reopen=False stores noise (an auto-reply) without reopening or moving the case up the queue."""
    _lock(ticket)
    at = at or _now()
    message = _add_message(
        ticket, kind=MessageKind.INBOUND, channel=channel, text=text, html=html, author_user=recorded_by,
        author_customer=None if recorded_by else customer,
        sender=sender or (customer.primary_email if customer else ""), subject=subject, language=language,
        message_id=message_id, attachments=attachments, meta=meta, at=at,
        attachment_max_bytes=attachment_max_bytes,
    )
    changes: dict[str, Any] = {}
    if not ticket.language and message.language in LANGUAGES:
        changes["language"] = message.language  # the case's language is its first known one
    if not reopen:
        _touch(ticket, at, **changes)
        return message
    changes["last_activity_at"] = at
    if ticket.status in DONE_STATUSES or ticket.status == Status.PENDING:
        before = ticket.status
        changes["status"] = Status.OPEN
        changes["solved_at"] = None
        _touch(ticket, at, **changes)
        _record(ticket, actor=None, actor_label="customer", kind="reopened" if before in DONE_STATUSES else "status",
                field="status", before=before, after=Status.OPEN, at=at)
    else:
        _touch(ticket, at, **changes)
    return message


@transaction.atomic
def add_reply(*, ticket: Ticket, author: User, text: str, html: str = "",
              attachments: Sequence[IncomingFile] = (), status: str | None = None,
              channel: str | None = None, language: str = "", meta: dict[str, Any] | None = None) -> Message:
    """An agent answers the customer, by e-mail when the customer has an address (whatever
    channel opened the case), else in the portal only (hooks.delivery_for decides; the
    choice is kept in meta["delivery"]). A mailed reply gets its Message-ID here, so the
    customer's answer threads to it; the mail app's hook puts it into the outbox."""
    _lock(ticket)
    return _reply(ticket, author=author, text=text, html=html, attachments=attachments, status=status,
                  channel=channel, language=language, meta=meta)


def _reply(ticket: Ticket, *, author: User, text: str, html: str = "", attachments: Sequence[IncomingFile] = (),
           status: str | None = None, channel: str | None = None, language: str = "",
           meta: dict[str, Any] | None = None) -> Message:
    """add_reply on a case its caller has locked: the message, then one UPDATE of the case (its
    count, activity, first response and status) and its events in one INSERT."""
    if not text.strip() and not html.strip():
        raise ActionError(_("The reply is empty."))
    if status and status not in Status.values:
        raise ActionError(_("Unknown status: %(status)s") % {"status": status})
    at = _now()
    delivery = hooks.delivery_for(ticket)
    meta = {**(meta or {}), "delivery": {"channel": delivery.channel, "to": delivery.address}}
    mailed = (channel or delivery.channel) == Channel.EMAIL
    message = _add_message(
        ticket, kind=MessageKind.REPLY, channel=channel or delivery.channel, text=text, html=html,
        author_user=author, sender=str(author), subject=ticket.subject, language=language or ticket.language,
        message_id=new_message_id() if mailed else "", attachments=attachments, meta=meta, at=at,
        count_later=True,
    )
    columns: dict[str, Any] = {"last_activity_at": at}
    if ticket.first_response_at is None:
        columns["first_response_at"] = at
    before = ticket.status
    after = status if status and status != before else (Status.OPEN if before == Status.NEW else None)
    if after:
        columns.update(_status_fields(ticket, after, at))
    Ticket.objects.filter(pk=ticket.pk).update(message_count=F("message_count") + 1, updated_at=at, **columns)
    for key, value in {**columns, "updated_at": at}.items():
        setattr(ticket, key, value)
    events = [Event(ticket=ticket, actor=author, kind="replied", after={"message": message.pk}, created_at=at)]
    if after:
        events.append(Event(ticket=ticket, actor=author, kind="status", field="status", before=before, after=after,
                            created_at=at))
    for event in Event.objects.bulk_create(events):
        if event.field:
            hooks.fire("ticket_changed", ticket=ticket, event=event)
    hooks.fire("reply_added", ticket=ticket, message=message)
    return message


@transaction.atomic
def add_note(*, ticket: Ticket, author: User | None, text: str, channel: str = Channel.INTERNAL,
             attachments: Sequence[IncomingFile] = (), meta: dict[str, Any] | None = None,
             actor_label: str = "") -> Message:
    """An internal note (or a call note taken at reception): never shown to the customer."""
    _lock(ticket)
    if not text.strip():
        raise ActionError(_("The note is empty."))
    at = _now()
    message = _add_message(
        ticket, kind=MessageKind.NOTE, channel=channel, text=text, author_user=author,
        sender=str(author or actor_label), attachments=attachments, meta=meta, at=at,
    )
    _touch(ticket, at)
    _record(ticket, actor=author, actor_label=actor_label, kind="noted", after={"message": message.pk}, at=at)
    return message


def _status_fields(ticket: Ticket, status: str, at: datetime.datetime) -> dict[str, Any]:
    """The row's columns for a new status: when it was solved or closed, cleared on reopening."""
    changes: dict[str, Any] = {"status": status}
    if status == Status.SOLVED:
        changes["solved_at"] = at
    elif status == Status.CLOSED:
        changes["closed_at"] = at
        if ticket.solved_at is None:
            changes["solved_at"] = at
    elif status in ACTIVE_STATUSES:
        changes["solved_at"] = None
        changes["closed_at"] = None
    return changes


class Unchanged(enum.Enum):
    """The value of an argument that leaves its field as it is (where None has a meaning)."""

    UNCHANGED = "unchanged"


UNCHANGED = Unchanged.UNCHANGED


def may_be_assigned(user: User, team: Team) -> bool:
    """The one rule for assignment (permissions.can_be_assigned): an active member of the case's
    team, or an active lead unless the team is confidential. Every caller (case view, bulk change,
    API, phone, routing) goes through change_ticket, which applies it; forms use it to offer only
    those who qualify."""
    return permissions.can_be_assigned(user, team)


def _assignee_problem(user: User, team: Team) -> str:
    if not user.is_active:
        return _("%(name)s can no longer be assigned cases.") % {"name": user}
    if team.confidential:
        return _("Only members of the confidential team %(team)s can be assigned its cases.") % {"team": team}
    return _("%(name)s is not a member of %(team)s and cannot be assigned its cases.") % {
        "name": user, "team": team}


@dataclasses.dataclass(frozen=True)
class _Change:
    kind: str
    field: str
    before: Any
    after: Any
    reason: str = ""


@transaction.atomic
def change_ticket(*, ticket: Ticket, actor: User | None, status: str | None = None, priority: int | None = None,
                  team: Team | None = None, assignee: User | None | Unchanged = UNCHANGED,
                  add_tags: Iterable[str] = (), remove_tags: Iterable[str] = (), reason: str = "",
                  actor_label: str = "") -> list[Event]:
    """Change any of a case's fields at once: all of them or none.

    Every input is checked before anything is written: the status and the priority are known
    values, the team exists, the assignee may be assigned (may_be_assigned) in the team the case
    ends up in, a merged case stays closed. A refusal raises ActionError naming every problem and
    leaves case and history untouched. Then the case is locked once, its row written once, and one
    Event is recorded per changed field; the ticket_changed hooks run after all of them, so they
    see the case as it now is.

    None (UNCHANGED for the assignee, who may be set to None: nobody) keeps a field as it is. A
    case moved to a team its assignee may not work in loses the assignee, with its own event.
    Any team may receive a case: a misrouted case goes to the team it belongs to, whether or
    not it is the actor's own. Returns the events written, empty when nothing changed."""
    problems: list[str] = []
    if status is not None and status not in Status.values:
        problems.append(_("Unknown status: %(status)s") % {"status": status})
    if priority is not None and priority not in Priority.values:
        problems.append(_("Unknown priority: %(priority)s") % {"priority": priority})
    if team is not None and (team.pk is None or not Team.objects.filter(pk=team.pk).exists()):
        problems.append(_("Unknown team: %(team)s") % {"team": team})
        team = None
    _lock(ticket)
    if status in ACTIVE_STATUSES and ticket.merged_into_id and status != ticket.status:
        problems.append(_("This case was merged into another and cannot be reopened."))
    target_team = team if team is not None else ticket.team
    moving = team is not None and team.pk != ticket.team_id
    if isinstance(assignee, User) and assignee.pk == ticket.assignee_id:
        assignee = UNCHANGED  # a form sends the current assignee back: keep them if they may follow
    new_assignee_id: int | None | Unchanged = UNCHANGED
    if isinstance(assignee, User):
        if not may_be_assigned(assignee, target_team):
            problems.append(_assignee_problem(assignee, target_team))
        new_assignee_id = assignee.pk
    elif assignee is None:
        new_assignee_id = None
    elif moving and ticket.assignee_id and not may_be_assigned(ticket.assignee, target_team):
        new_assignee_id = None  # the assignee cannot follow the case into its new team
    if problems:
        raise ActionError(" ".join(problems))

    at = _now()
    columns: dict[str, Any] = {}
    changes: list[_Change] = []
    if status is not None and status != ticket.status:
        columns.update(_status_fields(ticket, status, at))
        changes.append(_Change("status", "status", ticket.status, status, reason))
    if priority is not None and priority != ticket.priority:
        columns["priority"] = priority
        changes.append(_Change("priority", "priority", ticket.priority, priority, reason))
    if moving:
        columns["team"] = team
        changes.append(_Change("moved", "team", ticket.team_id, target_team.pk, reason))
    if new_assignee_id is not UNCHANGED and new_assignee_id != ticket.assignee_id:
        columns["assignee_id"] = new_assignee_id
        changes.append(_Change("assigned", "assignee", ticket.assignee_id, new_assignee_id, reason))
    tags = _change_tags(ticket, add=add_tags, remove=remove_tags)
    if tags is not None:
        changes.append(_Change("tagged", "tags", tags[0], tags[1]))
    if not changes:
        return []
    _touch(ticket, at, **columns)
    if "assignee_id" in columns:
        ticket.assignee = assignee if isinstance(assignee, User) else None
    if "team" in columns:
        ticket.team = target_team
    events = Event.objects.bulk_create([
        Event(ticket=ticket, actor=actor, actor_label=actor_label or ("" if actor else "system"), kind=c.kind,
              field=c.field, before=c.before, after=c.after, reason=c.reason, created_at=at)
        for c in changes
    ])
    for event in events:
        hooks.fire("ticket_changed", ticket=ticket, event=event)
    return events


def set_status(*, ticket: Ticket, status: str, actor: User | None, actor_label: str = "") -> Ticket:
    change_ticket(ticket=ticket, status=status, actor=actor, actor_label=actor_label)
    return ticket


@transaction.atomic
def set_subject(*, ticket: Ticket, subject: str, actor: User | None, actor_label: str = "") -> Ticket:
    """Give the case a new subject (a call's subject, a vague mail subject made telling)."""
    subject = " ".join(subject.split())[:300]
    if not subject:
        raise ActionError(_("The subject cannot be empty."))
    _lock(ticket)
    if subject != ticket.subject:
        before = ticket.subject
        _touch(ticket, _now(), subject=subject)
        _record(ticket, actor=actor, actor_label=actor_label, kind="subject", field="subject",
                before=before, after=subject)
    return ticket


def set_priority(*, ticket: Ticket, priority: int, actor: User | None, actor_label: str = "",
                 reason: str = "") -> Ticket:
    change_ticket(ticket=ticket, priority=priority, actor=actor, actor_label=actor_label, reason=reason)
    return ticket


def assign_ticket(*, ticket: Ticket, assignee: User | None, actor: User | None, actor_label: str = "",
                  reason: str = "") -> Ticket:
    change_ticket(ticket=ticket, assignee=assignee, actor=actor, actor_label=actor_label, reason=reason)
    return ticket


def move_to_team(*, ticket: Ticket, team: Team, actor: User | None, actor_label: str = "",
                 reason: str = "") -> Ticket:
    change_ticket(ticket=ticket, team=team, actor=actor, actor_label=actor_label, reason=reason)
    return ticket


def second_level_team(ticket: Ticket) -> Team | None:
    """Where a case escalated to second level goes: the first team of kind second level, unless
    the case is a confidential team's (it stays there, so no one outside reads it) or already
    with a second-level team."""
    current = Team.objects.get(pk=ticket.team_id)
    if current.confidential or current.kind == TeamKind.SECOND_LEVEL:
        return None
    return Team.objects.filter(kind=TeamKind.SECOND_LEVEL).order_by("pk").first()


@transaction.atomic
def escalate_ticket(*, ticket: Ticket, reason: str, actor: User | None, level: str | None = None,
                    team: Team | None = None, actor_label: str = "") -> Ticket:
    """Move a case up a level (first → second → lead), with a reason everyone can read.

    To second level without a team given, the case goes to the second-level team
    (second_level_team); the team it came from keeps following it (Ticket.escalated_from)."""
    if not reason.strip():
        raise ActionError(_("Say why the case is escalated."))
    _lock(ticket)
    current = LEVEL_ORDER.index(Level(ticket.level))
    target = Level(level) if level else (LEVEL_ORDER[min(current + 1, len(LEVEL_ORDER) - 1)])
    if LEVEL_ORDER.index(target) <= current:
        raise ActionError(_("The case is already at %(level)s.") % {"level": Level(ticket.level).label})
    at = _now()
    before = ticket.level
    _touch(ticket, at, level=target, last_activity_at=at)
    _record(ticket, actor=actor, actor_label=actor_label, kind="escalated", field="level", before=before,
            after=str(target), reason=reason.strip(), at=at)
    if team is None and target == Level.SECOND:
        team = second_level_team(ticket)
    if team is not None and team.pk != ticket.team_id:
        if before == Level.FIRST and ticket.escalated_from_id is None:
            _touch(ticket, at, escalated_from_id=ticket.team_id)
        move_to_team(ticket=ticket, team=team, actor=actor, actor_label=actor_label, reason=reason)
    return ticket


@transaction.atomic
def deescalate_ticket(*, ticket: Ticket, reason: str, actor: User | None, level: str = Level.FIRST,
                      actor_label: str = "") -> Ticket:
    """Lower a case's level (e.g. "back to first level" at the second-level review), with a
    reason. Back at first level, a case escalation had moved returns to the team it came from."""
    if not reason.strip():
        raise ActionError(_("Say why the case goes back."))
    _lock(ticket)
    current = LEVEL_ORDER.index(Level(ticket.level))
    target = Level(level)
    if LEVEL_ORDER.index(target) >= current:
        raise ActionError(_("The case is already at %(level)s.") % {"level": Level(ticket.level).label})
    at = _now()
    before = ticket.level
    _touch(ticket, at, level=target, last_activity_at=at)
    _record(ticket, actor=actor, actor_label=actor_label, kind="deescalated", field="level", before=before,
            after=str(target), reason=reason.strip(), at=at)
    if target == Level.FIRST and ticket.escalated_from_id:
        origin = Team.objects.filter(pk=ticket.escalated_from_id).first()
        _touch(ticket, at, escalated_from_id=None)
        if origin is not None and origin.pk != ticket.team_id:
            move_to_team(ticket=ticket, team=origin, actor=actor, actor_label=actor_label, reason=reason)
    return ticket


def tag_ticket(*, ticket: Ticket, add: Iterable[str] = (), remove: Iterable[str] = (),
               actor: User | None, actor_label: str = "") -> Ticket:
    change_ticket(ticket=ticket, add_tags=add, remove_tags=remove, actor=actor, actor_label=actor_label)
    return ticket


def _clean_tag(name: str) -> str:
    return " ".join(name.strip().lower().split())[:60]


def _change_tags(ticket: Ticket, *, add: Iterable[str], remove: Iterable[str]) -> tuple[list[str], list[str]] | None:
    """Add and remove tags (names cleaned); (before, after) names if that changed anything."""
    to_add = {_clean_tag(n) for n in add} - {""}
    to_remove = {_clean_tag(n) for n in remove} - to_add - {""}
    if not to_add and not to_remove:
        return None
    before = sorted(ticket.tags.values_list("name", flat=True))
    after = sorted((set(before) | to_add) - to_remove)
    if after == before:
        return None
    new = to_add - set(before)
    if new:
        Tag.objects.bulk_create([Tag(name=name) for name in sorted(new)], ignore_conflicts=True)
        ticket.tags.add(*Tag.objects.filter(name__in=new))
    gone = to_remove & set(before)
    if gone:
        ticket.tags.remove(*Tag.objects.filter(name__in=gone))
    return before, after


def _set_tags(ticket: Ticket, *, add: Iterable[str], remove: Iterable[str], actor: User | None,
              at: datetime.datetime, actor_label: str = "") -> None:
    tags = _change_tags(ticket, add=add, remove=remove)
    if tags is not None:
        _touch(ticket, at)
        _record(ticket, actor=actor, actor_label=actor_label, kind="tagged", field="tags",
                before=tags[0], after=tags[1], at=at)


def check_merge(*, source: Ticket, target: Ticket, same_thread: bool = False) -> None:
    """Raise ActionError when source may not be merged into target. The merge form asks this
    before it shows its confirmation; merge_tickets asks again under the row locks.
    same_thread: mail threading joins a reply that arrived before its original, whoever sent
    it (it would have joined the original's case had it arrived second)."""
    if source.pk == target.pk:
        raise ActionError(_("A case cannot be merged into itself."))
    if source.merged_into_id:
        raise ActionError(_("%(number)s was already merged.") % {"number": source.number})
    if target.merged_into_id:
        raise ActionError(_("%(number)s was merged into another case; merge into that one.")
                          % {"number": target.number})
    if source.customer_id != target.customer_id and not same_thread:
        # The target's customer would read the source's mail and attachments in the portal,
        # and the source's customer would lose them: one mistyped number must not do that.
        raise ActionError(
            _("%(source)s is a case of %(source_customer)s, %(target)s one of %(target_customer)s: "
              "cases of different customers cannot be merged.")
            % {"source": source.number, "source_customer": source.customer,
               "target": target.number, "target_customer": target.customer})


@transaction.atomic
def merge_tickets(*, source: Ticket, target: Ticket, actor: User | None, reason: str = "",
                  same_thread: bool = False) -> Ticket:
    """Move every message of source into target and close source, pointing at target.
    Both must be cases of the same customer (see check_merge)."""
    if source.pk == target.pk:
        raise ActionError(_("A case cannot be merged into itself."))
    first, second = sorted([source, target], key=lambda t: t.pk)  # lock in a fixed order
    _lock(first)
    _lock(second)
    check_merge(source=source, target=target, same_thread=same_thread)
    at = _now()
    moved = Message.objects.filter(ticket=source).update(ticket=target)
    search.reindex_ticket_messages(target)
    Ticket.objects.filter(pk=target.pk).update(message_count=F("message_count") + moved)
    target.message_count += moved
    for tag in source.tags.all():
        target.tags.add(tag)
    _touch(target, at, last_activity_at=max(target.last_activity_at, source.last_activity_at))
    _record(target, actor=actor, kind="merged", field="merged", before=None,
            after={"from": source.number, "messages": moved}, reason=reason, at=at)
    Ticket.objects.filter(pk=source.pk).update(message_count=0)
    _touch(source, at, merged_into=target, status=Status.CLOSED, closed_at=at, solved_at=source.solved_at or at)
    _record(source, actor=actor, kind="merged", field="merged_into", before=None,
            after={"into": target.number}, reason=reason, at=at)
    return target


@transaction.atomic
def move_message(*, message: Message, target: Ticket, actor: User | None, reason: str,
                 actor_label: str = "") -> Message:
    """Move one message to another case, with its attachments, the history events that name it
    and its search entry: for a reply that was joined to the wrong case before its References
    proved where it belongs. Both cases get a history event. The first message of a case
    stays (merge the case instead)."""
    source = Ticket.objects.get(pk=message.ticket_id)
    if source.pk == target.pk:
        raise ActionError(_("The message is already on this case."))
    first, second = sorted([source, target], key=lambda t: t.pk)  # lock in a fixed order
    _lock(first)
    _lock(second)
    if target.merged_into_id:
        raise ActionError(_("%(number)s was merged into another case; move the message there.")
                          % {"number": target.number})
    opening = Message.objects.filter(ticket=source).order_by("created_at", "id").values_list("id", flat=True).first()
    if opening == message.pk:
        raise ActionError(_("The first message of a case cannot be moved; merge the case instead."))
    at = _now()
    Message.objects.filter(pk=message.pk).update(ticket=target)
    message.ticket, message.ticket_id = target, target.pk
    Event.objects.filter(ticket=source, after__message=message.pk).update(ticket=target)
    search.index_message(message, target)
    Ticket.objects.filter(pk=source.pk).update(message_count=F("message_count") - 1)
    Ticket.objects.filter(pk=target.pk).update(message_count=F("message_count") + 1)
    source.message_count -= 1
    target.message_count += 1
    _touch(source, at)
    _touch(target, at, last_activity_at=max(target.last_activity_at, message.created_at))
    for case in (source, target):
        _record(case, actor=actor, actor_label=actor_label, kind="message_moved", field="message",
                before=source.number, after=target.number, reason=reason, at=at)
    return message


# --- The agent workspace: presence, forms sent twice, bulk changes ----------------------------

# Presence rows this old are deleted when anyone sends a heartbeat on the case.
_PRESENCE_KEEP = datetime.timedelta(minutes=5)


def note_presence(*, ticket: Ticket, user: User, typing: bool | None = None) -> Presence:
    """A heartbeat: user has the case open. typing=True: they are writing a reply now;
    typing=False: they stopped (the reply was sent); None keeps what was known.

    Presence changes nothing on the case, so it writes no Event (history would fill with
    heartbeats), and needs no transaction: each of its statements stands on its own."""
    now = _now()
    values: dict[str, Any] = {"seen_at": now}
    if typing is True:
        values["typing_at"] = now
    elif typing is False:
        values["typing_at"] = None
    if typing is not False:  # a heartbeat tidies up; the reply that ends typing need not
        Presence.objects.filter(ticket=ticket, seen_at__lt=now - _PRESENCE_KEEP).delete()
    # One statement (INSERT ... ON CONFLICT DO UPDATE), safe against two tabs beating at once.
    presence = Presence(ticket=ticket, user=user, seen_at=now, typing_at=values.get("typing_at"))
    Presence.objects.bulk_create([presence], update_conflicts=True, unique_fields=["ticket", "user"],
                                 update_fields=list(values))
    return presence


def claim_form(*, form_token: str, purpose: str, customer: Customer | None = None,
               optional: bool = False) -> FormSubmission | None:
    """Claim a one-time form's token (anliegen.lib.onetime) inside the transaction that creates
    what the form asks for. None: claimed now, go on and record the result with complete_form.
    A FormSubmission: the same form was sent before, this is what it made. optional=True (staff
    forms, which a script may post without a token): an empty token claims nothing.

    Raises FormTokenInvalid for a forged or expired token, or one sent with another form or by
    another customer. The claim is one INSERT ... ON CONFLICT DO NOTHING: of two simultaneous
    posts exactly one inserts, the other waits for it and then finds its row."""
    if optional and not form_token:
        return None
    token = onetime.read_form_token(form_token)
    table = FormSubmission._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (token_hash, purpose, customer_id, created_at) VALUES (%s, %s, %s, %s) "
            f"ON CONFLICT (token_hash) DO NOTHING RETURNING id",
            [token.hash, purpose, customer.pk if customer else None, _now()],
        )
        if cursor.fetchone() is not None:
            return None
    earlier = FormSubmission.objects.select_related("ticket", "message").get(token_hash=token.hash)
    if earlier.purpose != purpose or (customer is not None and earlier.customer_id != customer.pk):
        raise onetime.FormTokenInvalid("token used for another form")
    return earlier


def complete_form(*, form_token: str, ticket: Ticket | None = None, message: Message | None = None,
                  customer: Customer | None = None) -> None:
    """Record what a claimed form created, for the answer to the same form sent again."""
    if not form_token:
        return
    fields: dict[str, Any] = {"ticket": ticket, "message": message}
    if customer is not None:
        fields["customer"] = customer
    FormSubmission.objects.filter(token_hash=onetime.read_form_token(form_token).hash).update(**fields)


@transaction.atomic
def prune_form_submissions(*, now: datetime.datetime | None = None) -> int:
    """Forget submissions older than any token still accepted (periodic job)."""
    now = now or _now()
    return FormSubmission.objects.filter(created_at__lt=now - onetime.MAX_AGE * 2).delete()[0]


@transaction.atomic
def add_reply_once(*, ticket: Ticket, author: User, form_token: str, text: str,
                   attachments: Sequence[IncomingFile] = (), status: str | None = None) -> tuple[Message, bool]:
    """add_reply for a form that may arrive twice (double click, reload, a retried request):
    a second post with the same token returns (the first reply, False). The case's row lock
    makes simultaneous posts queue up."""
    _lock(ticket)
    earlier = claim_form(form_token=form_token, purpose="staff_reply", optional=True)
    if earlier is not None and earlier.message is not None:
        return earlier.message, False
    message = _reply(ticket, author=author, text=text, attachments=attachments, status=status)
    complete_form(form_token=form_token, ticket=ticket, message=message)
    return message, True


@transaction.atomic
def add_note_once(*, ticket: Ticket, author: User, form_token: str, text: str) -> tuple[Message, bool]:
    """add_note, stored once however often the same form is sent (see add_reply_once)."""
    _lock(ticket)
    earlier = claim_form(form_token=form_token, purpose="staff_note", optional=True)
    if earlier is not None and earlier.message is not None:
        return earlier.message, False
    message = add_note(ticket=ticket, author=author, text=text)
    complete_form(form_token=form_token, ticket=ticket, message=message)
    return message, True


@transaction.atomic
def create_ticket_once(*, form_token: str, customer_email: str, customer_name: str = "", team: Team,
                       subject: str, text: str, channel: str, priority: int, actor: User) -> tuple[Ticket, bool]:
    """An agent opens a case for a customer found (or created) by e-mail address: a letter, a
    call, a conversation at the counter. Sending the same form twice opens one case."""
    if channel not in Channel.values:
        raise ActionError(_("Unknown channel: %(channel)s") % {"channel": channel})
    if priority not in Priority.values:
        raise ActionError(_("Unknown priority: %(priority)s") % {"priority": priority})
    earlier = claim_form(form_token=form_token, purpose="staff_new_case", optional=True)
    if earlier is not None and earlier.ticket is not None:
        return earlier.ticket, False
    customer = get_or_create_customer_by_email(address=customer_email, name=" ".join(customer_name.split())[:200],
                                               preferred_language=team.default_language)
    ticket = create_ticket(subject=subject, customer=customer, team=team, channel=channel, text=text,
                           actor=actor, priority=priority, language=customer.preferred_language,
                           meta={"entered_by": actor.pk})
    complete_form(form_token=form_token, ticket=ticket, customer=customer)
    return ticket, True


@dataclasses.dataclass
class BulkOutcome:
    """What a bulk change did: the case numbers changed, left as they were, and refused (with why)."""

    changed: list[str] = dataclasses.field(default_factory=list)
    unchanged: list[str] = dataclasses.field(default_factory=list)
    failed: list[tuple[str, str]] = dataclasses.field(default_factory=list)


def update_tickets(*, tickets: Iterable[Ticket], actor: User, status: str = "", priority: int | None = None,
                   assign: bool = False, assignee: User | None = None, team: Team | None = None,
                   add_tag: str = "") -> BulkOutcome:
    """Apply the same changes to many cases, one change_ticket per case.

    Each case changes in its own transaction: all of its changes or none, and a case that
    refuses (a confidential team, a merged case) does not undo the others. assign=True sets
    the assignee (None: nobody); empty values leave a field as it is."""
    outcome = BulkOutcome()
    for ticket in tickets:
        try:
            events = change_ticket(
                ticket=ticket, actor=actor, status=status or None, priority=priority or None, team=team,
                assignee=assignee if assign else UNCHANGED, add_tags=[add_tag] if add_tag.strip() else [],
            )
        except ActionError as exc:
            outcome.failed.append((ticket.number, str(exc)))
            continue
        (outcome.changed if events else outcome.unchanged).append(ticket.number)
    return outcome
