"""Writes of the phone app: logging a call at reception, booking and working callbacks, and the
reminder job. Every change to a case goes through tickets.actions, so it has its history.

How a call is stored: as a call note, the agent's record of the call — a message of kind
inbound on the phone channel whose author is the member of staff who took it (author_user;
author_customer stays empty: these are not the customer's words), with meta["call"] =
{"number", "taken_by", "taken_by_name", "summary"}. Staff read it as a call note; the portal
shows "Phone call on <date>" and only the summary the agent chose to share. It counts as a
customer contact for repeat-contact detection (like a mail) and reopens a solved case like any
customer message. The case's subject is typed (or "Phone call from <name>"), never cut from the
note, and can be changed on the case."""

import datetime
import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from anliegen.accounts.models import Team, User
from anliegen.customers.actions import (
    InvalidPhoneNumber,
    PhoneNumberTaken,
    add_customer_phone,
    create_customer,
    find_customer_by_email,
    find_customer_by_phone,
    normalise_phone,
    phone_region_of_user,
)
from anliegen.customers.models import Customer
from anliegen.phone.models import Callback, CallbackKind, CallbackOutcome, CallbackStatus
from anliegen.tickets import actions as ticket_actions
from anliegen.tickets import hooks, permissions
from anliegen.tickets.access import changeable_tickets
from anliegen.tickets.actions import ActionError
from anliegen.tickets.models import ACTIVE_STATUSES, Channel, Event, Message, Priority, Ticket

log = logging.getLogger(__name__)

# Without an explicit reminder time the team is reminded this long before a callback is due.
DEFAULT_REMINDER_LEAD = datetime.timedelta(minutes=15)
# Typing "now" into a form takes a moment; a due time this little in the past still counts as now.
PAST_GRACE = datetime.timedelta(minutes=2)
MAX_AHEAD = datetime.timedelta(days=366)


def _now() -> datetime.datetime:
    return timezone.now()


def _aware(value: datetime.datetime) -> datetime.datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def format_when(value: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


# --- Calls -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewCaller:
    """A caller whose number is unknown: the customer reception creates."""

    name: str
    email: str = ""
    language: str = ""


@dataclass(frozen=True)
class LoggedCall:
    ticket: Ticket
    message: Message
    customer: Customer
    created_customer: bool
    created_ticket: bool
    callback: Callback | None


def language_for_number(number: str) -> str:
    """A guess at a new caller's language from the country code of their number."""
    for prefix, language in (("+49", "de"), ("+43", "de"), ("+41", "de"), ("+45", "da"), ("+44", "en")):
        if number.startswith(prefix):
            return language
    return ""


def default_subject(caller: Customer) -> str:
    """The subject of a call logged without one: who called, not a piece of the note."""
    return _("Phone call from %(name)s") % {"name": caller.name or caller.primary_email or _("a caller")}


def _resolve_caller(*, number: str, customer: Customer | None, new_caller: NewCaller | None) -> tuple[Customer, bool]:
    owner = find_customer_by_phone(number)
    if customer is not None:
        if owner is not None and owner.pk != customer.pk:
            raise ActionError(_("The number %(number)s belongs to %(name)s.") % {"number": number, "name": owner})
        if owner is None:
            add_customer_phone(customer=customer, number=number)
        return customer, False
    if owner is not None:
        return owner, False
    if new_caller is None or not new_caller.name.strip():
        raise ActionError(_("The number %(number)s is not known yet: type the caller's name.") % {"number": number})
    email = new_caller.email.strip()
    if email and find_customer_by_email(email) is not None:
        raise ActionError(_("The e-mail address %(email)s belongs to another customer.") % {"email": email})
    created = create_customer(
        name=" ".join(new_caller.name.split())[:200], emails=[email] if email else [], phones=[number],
        preferred_language=new_caller.language or language_for_number(number),
    )
    return created, True


@transaction.atomic
def log_call(*, actor: User, number: str, text: str, customer: Customer | None = None,
             new_caller: NewCaller | None = None, ticket: Ticket | None = None, team: Team | None = None,
             assignee: User | None = None, subject: str = "", priority: int = Priority.NORMAL,
             callback_at: datetime.datetime | None = None, callback_note: str = "",
             summary: str = "") -> LoggedCall:
    """Reception takes a call: identify (or create) the caller by number, store the call note as
    the caller's phone message on a new case or on one of their open cases, hand the case to a
    team (and agent), and book a callback if one was promised. All or nothing. A number typed
    without its country code is read in the country of the actor's team."""
    try:
        number = normalise_phone(number, phone_region_of_user(actor))
    except InvalidPhoneNumber:
        raise ActionError(_("%(number)s is not a phone number that can be dialled.") % {"number": number})
    if not text.strip():
        raise ActionError(_("Write down what the caller said."))
    caller, created_customer = _resolve_caller(number=number, customer=customer, new_caller=new_caller)
    meta: dict[str, Any] = {"call": {"number": number, "taken_by": actor.pk, "taken_by_name": str(actor),
                                     "summary": " ".join(summary.split())[:1000]}}
    if ticket is None:
        if team is None:
            raise ActionError(_("Choose the team that takes the case."))
        new_ticket = ticket_actions.create_ticket(
            subject=subject.strip() or default_subject(caller), customer=caller, team=team, channel=Channel.PHONE,
            text=text.strip(), actor=actor, priority=priority, sender=number, meta=meta,
            language=caller.preferred_language, recorded_by=actor,
        )
        message = new_ticket.messages.filter(kind="inbound").order_by("id").first()
        assert message is not None
        ticket = new_ticket
        created_ticket = True
    else:
        if ticket.customer_id != caller.pk:
            raise ActionError(_("%(number)s is a case of another customer.") % {"number": ticket.number})
        if ticket.status not in ACTIVE_STATUSES or ticket.merged_into_id:
            raise ActionError(_("%(number)s is no longer open; log the call as a new case.")
                              % {"number": ticket.number})
        message = ticket_actions.add_customer_message(
            ticket=ticket, customer=caller, text=text.strip(), channel=Channel.PHONE, sender=number, meta=meta,
            recorded_by=actor,
        )
        if team is not None and team.pk != ticket.team_id:
            ticket_actions.move_to_team(ticket=ticket, team=team, actor=actor, reason=_("Handed on at reception"))
        if priority != Priority.NORMAL and priority != ticket.priority:
            ticket_actions.set_priority(ticket=ticket, priority=priority, actor=actor)
        created_ticket = False
    if assignee is not None:
        ticket.team = Team.objects.get(pk=ticket.team_id)
        _check_agent(assignee, ticket.team, what=_("The assignee"))
        ticket_actions.assign_ticket(ticket=ticket, assignee=assignee, actor=actor, reason=_("Handed on at reception"))
    callback = None
    if callback_at is not None:
        callback = book_callback(ticket=ticket, due_at=callback_at, agent=assignee, note=callback_note, actor=actor)
    return LoggedCall(ticket=ticket, message=message, customer=caller, created_customer=created_customer,
                      created_ticket=created_ticket, callback=callback)


# --- Callbacks -------------------------------------------------------------------------------


def _check_agent(agent: User, team: Team, *, what: str) -> None:
    if not agent.is_active:
        raise ActionError(_("%(name)s is no longer active.") % {"name": agent})
    if not permissions.is_lead(agent) and not permissions.is_member(agent, team):
        raise ActionError(_("%(what)s %(name)s is not a member of %(team)s.")
                          % {"what": what, "name": agent, "team": team})


def _check_due(due_at: datetime.datetime, now: datetime.datetime, *, field: str) -> None:
    if due_at < now - PAST_GRACE:
        raise ActionError(_("%(field)s %(when)s has already passed; choose a time from now on.")
                          % {"field": field, "when": format_when(due_at)})
    if due_at > now + MAX_AHEAD:
        raise ActionError(_("%(field)s is more than a year ahead.") % {"field": field})


def _callback_note(callback: Callback, text: str, *, actor: User | None, actor_label: str, event: str) -> None:
    ticket_actions.add_note(ticket=callback.ticket, author=actor, text=text, actor_label=actor_label,
                            meta={"callback": callback.pk, "callback_event": event})


def _book(*, ticket: Ticket, due_at: datetime.datetime, team: Team | None, agent: User | None, note: str,
          reminder_at: datetime.datetime | None, kind: str, actor: User | None, actor_label: str,
          previous: Callback | None = None) -> Callback:
    now = _now()
    due_at = _aware(due_at)
    if kind not in CallbackKind.values:
        raise ActionError(_("Unknown kind of callback: %(kind)s") % {"kind": kind})
    if ticket.merged_into_id:
        raise ActionError(_("This case was merged into another; book the callback there."))
    _check_due(due_at, now, field=_("The callback time"))
    if reminder_at is not None:
        reminder_at = _aware(reminder_at)
        if reminder_at > due_at:
            raise ActionError(_("The reminder must come before the callback is due."))
        _check_due(reminder_at, now, field=_("The reminder time"))
    else:
        reminder_at = max(due_at - DEFAULT_REMINDER_LEAD, min(now, due_at))
    ticket_team = Team.objects.get(pk=ticket.team_id)
    team = team or ticket_team
    if agent is not None:
        _check_agent(agent, team, what=_("The agent"))
        if not changeable_tickets(agent).filter(pk=ticket.pk).exists():  # they record its outcome
            raise ActionError(_("%(name)s cannot see case %(number)s.") % {"name": agent, "number": ticket.number})
    elif team.pk != ticket_team.pk:
        # Its members would get a callback for a case they cannot open.
        raise ActionError(_("%(team)s cannot see case %(number)s: move the case to %(team)s first, "
                            "or book the callback for one of its agents.") % {"team": team, "number": ticket.number})
    phone = ticket.customer.phones.order_by("id").first()
    callback = Callback.objects.create(
        ticket=ticket, kind=kind, due_at=due_at, team=team, agent=agent, note=note.strip(), reminder_at=reminder_at,
        phone_number=phone.number if phone else "", created_by=actor,
        created_label="" if actor else (actor_label or "system"), created_at=now, previous=previous,
        attempts=previous.attempts if previous else 0,
    )
    whom = f"{team} / {agent}" if agent else str(team)
    text = _("%(kind)s booked for %(when)s (%(whom)s).") % {
        "kind": callback.get_kind_display(), "when": format_when(due_at), "whom": whom}
    if callback.note:
        text += "\n" + callback.note
    _callback_note(callback, text, actor=actor, actor_label=actor_label, event="booked")
    return callback


@transaction.atomic
def book_callback(*, ticket: Ticket, due_at: datetime.datetime, team: Team | None = None,
                  agent: User | None = None, note: str = "", reminder_at: datetime.datetime | None = None,
                  kind: str = CallbackKind.CALLBACK, actor: User | None = None, actor_label: str = "") -> Callback:
    """Promise the customer of a case a call back by due_at, for the case's team (default) or an
    agent who can see the case. Writes an internal note on the case (and so its history).

    Without reminder_at the team is reminded DEFAULT_REMINDER_LEAD before due_at. Raises
    ActionError for a due or reminder time in the past, a reminder after the due time, an agent
    outside the team, or a team that cannot see the case."""
    return _book(ticket=ticket, due_at=due_at, team=team, agent=agent, note=note, reminder_at=reminder_at,
                 kind=kind, actor=actor, actor_label=actor_label)


def _lock(callback: Callback) -> Callback:
    """Take the row lock, then re-read the callback (and drop cached relations)."""
    list(Callback.objects.select_for_update().filter(pk=callback.pk).values_list("pk", flat=True))
    callback.refresh_from_db()
    return callback


@transaction.atomic
def record_callback_outcome(*, callback: Callback, outcome: str, note: str = "", actor: User | None,
                            retry_at: datetime.datetime | None = None, actor_label: str = "") -> Callback:
    """Close an open callback with its outcome: reached, no_answer or retry. "retry" needs
    retry_at and books the next attempt (same team, agent, kind and note; reachable as
    callback.next); "no_answer" books one too when retry_at is given. Returns the closed callback."""
    if outcome not in CallbackOutcome.values:
        raise ActionError(_("Unknown outcome: %(outcome)s") % {"outcome": outcome})
    _lock(callback)
    if not callback.is_open:
        raise ActionError(_("This callback is already %(status)s.") % {"status": callback.get_status_display()})
    if outcome == CallbackOutcome.RETRY and retry_at is None:
        raise ActionError(_("Say when to try again."))
    if retry_at is not None:
        _check_due(_aware(retry_at), _now(), field=_("The next try"))
    now = _now()
    callback.status = CallbackStatus.DONE
    callback.outcome = outcome
    callback.outcome_note = note.strip()
    callback.attempts += 1
    callback.done_by = actor
    callback.done_at = now
    callback.save(update_fields=["status", "outcome", "outcome_note", "attempts", "done_by", "done_at"])
    text = _("%(kind)s: %(outcome)s (attempt %(attempt)s).") % {
        "kind": callback.get_kind_display(), "outcome": callback.get_outcome_display(), "attempt": callback.attempts}
    if callback.outcome_note:
        text += "\n" + callback.outcome_note
    _callback_note(callback, text, actor=actor, actor_label=actor_label, event=outcome)
    if retry_at is not None and outcome in (CallbackOutcome.RETRY, CallbackOutcome.NO_ANSWER):
        agent = callback.agent
        if agent is not None and (not agent.is_active or not changeable_tickets(agent).filter(pk=callback.ticket_id).exists()):
            agent = None
        team = callback.team if agent is not None or callback.team_id == callback.ticket.team_id else None
        _book(ticket=callback.ticket, due_at=retry_at, team=team, agent=agent, note=callback.note,
              reminder_at=None, kind=callback.kind, actor=actor, actor_label=actor_label, previous=callback)
    return callback


@transaction.atomic
def cancel_callback(*, callback: Callback, actor: User | None, reason: str = "", actor_label: str = "") -> Callback:
    """Call off an open callback (the customer got in touch first, the case was solved, ...)."""
    _lock(callback)
    if not callback.is_open:
        raise ActionError(_("This callback is already %(status)s.") % {"status": callback.get_status_display()})
    callback.status = CallbackStatus.CANCELLED
    callback.outcome_note = reason.strip()
    callback.done_by = actor
    callback.done_at = _now()
    callback.save(update_fields=["status", "outcome_note", "done_by", "done_at"])
    text = _("%(kind)s for %(when)s cancelled.") % {"kind": callback.get_kind_display(),
                                                     "when": format_when(callback.due_at)}
    if callback.outcome_note:
        text += "\n" + callback.outcome_note
    _callback_note(callback, text, actor=actor, actor_label=actor_label, event="cancelled")
    return callback


def follow_team_change(*, ticket: Ticket, event: Event, **_kwargs: Any) -> None:
    """tickets hook ticket_changed: when a case moves to another team, the open callbacks of the
    old team move with it, so nobody holds a callback for a case they can no longer open."""
    if event.field != "team":
        return
    moving = Callback.objects.filter(ticket=ticket, status=CallbackStatus.OPEN, team_id=event.before)
    for callback in moving.select_related("agent"):
        callback.team_id = event.after
        if callback.agent and not callback.agent.is_lead and \
                not callback.agent.memberships.filter(team_id=event.after).exists():
            callback.agent = None
        callback.save(update_fields=["team", "agent"])


# --- Reminders -------------------------------------------------------------------------------


def send_callback_reminders(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """Remind the team (and agent) of every open callback whose reminder time has passed: an
    internal note on the case ("Callback due at ...") and the reminded flag in the callbacks list.

    Each callback is claimed with a conditional UPDATE, so two workers never remind twice; a row
    that fails is logged and marked with its error instead of stopping the run. Returns how many
    reminders were written."""
    now = now or _now()
    due = list(
        Callback.objects.filter(status=CallbackStatus.OPEN, reminded_at__isnull=True, reminder_at__lte=now)
        .order_by("reminder_at", "id").values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for pk in due:
        try:
            with transaction.atomic():
                if not Callback.objects.filter(pk=pk, reminded_at__isnull=True,
                                               status=CallbackStatus.OPEN).update(reminded_at=now):
                    continue  # another worker took it, or it was done meanwhile
                callback = Callback.objects.select_related("ticket", "team", "agent").get(pk=pk)
                whom = f"{callback.team} / {callback.agent}" if callback.agent else str(callback.team)
                text = _("Reminder: %(kind)s due at %(when)s (%(whom)s).") % {
                    "kind": callback.get_kind_display(), "when": format_when(callback.due_at), "whom": whom}
                if callback.phone_number:
                    text += " " + _("Number: %(number)s") % {"number": callback.phone_number}
                if callback.note:
                    text += "\n" + callback.note
                _callback_note(callback, text, actor=None, actor_label="reminder", event="reminded")
                hooks.fire("callback_due", callback=callback, ticket=callback.ticket)
            sent += 1
        except Exception as exc:  # one bad row must not stop the others or the worker
            log.exception("callback reminder %s failed", pk)
            try:
                Callback.objects.filter(pk=pk, reminded_at__isnull=True).update(
                    reminded_at=now, reminder_error=f"{type(exc).__name__}: {exc}"[:300])
            except Exception:
                log.exception("could not mark callback %s as failed", pk)
    return sent


# Exposed for the routing app and others that need to know (reads, no writes).
def open_callbacks(ticket: Ticket) -> list[Callback]:
    return list(Callback.objects.filter(ticket=ticket, status=CallbackStatus.OPEN).select_related("team", "agent"))


__all__ = [
    "ActionError", "InvalidPhoneNumber", "LoggedCall", "NewCaller", "PhoneNumberTaken", "book_callback",
    "cancel_callback", "log_call", "open_callbacks", "record_callback_outcome", "send_callback_reminders",
]
