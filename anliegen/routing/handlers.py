"""Routing's reactions to what happens to a case (tickets.hooks), registered in apps.py.

The hooks run inside the action's transaction. Each step here runs in its own savepoint and a
failure is logged, not raised: a routing mistake must never lose the customer's mail or call.
A step that the configuration already read (anliegen.lib.readcache) shows to have nothing to do
is left out, savepoint and all.
While routing itself changes a case, the change hooks for that case are ignored (guard), and
the due times are computed once at the end."""

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import transaction

from anliegen.lib import readcache
from anliegen.tickets.models import DONE_STATUSES, Event, Message, MessageKind, Ticket

log = logging.getLogger(__name__)
_busy: ContextVar[frozenset[int]] = ContextVar("routing_busy", default=frozenset())


@contextmanager
def _guard(ticket: Ticket) -> Iterator[None]:
    token = _busy.set(_busy.get() | {ticket.pk})
    try:
        yield
    finally:
        _busy.reset(token)


def _busy_with(ticket: Ticket) -> bool:
    return ticket.pk in _busy.get()


def _safely(step: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    try:
        with transaction.atomic():
            return step(*args, **kwargs)
    except Exception:
        log.exception("routing step %s failed", getattr(step, "__name__", step))
        return None


def on_ticket_created(*, ticket: Ticket, message: Message, **_kwargs: Any) -> None:
    from anliegen.routing import assignment, engine, quality, repeat
    from anliegen.routing.sla.compute import recompute_sla

    with _guard(ticket):
        if readcache.peek("routing.rules") != []:  # no active rules: nothing to apply
            _safely(engine.apply_rules, ticket, message)
        if not assignment.nothing_to_assign(ticket):
            _safely(assignment.auto_assign, ticket)
        _safely(repeat.record_new_case, ticket, message)
        if not quality.surely_not_quality_care(ticket):
            _safely(quality.check_quality_care, ticket, now=message.created_at)
        _safely(recompute_sla, ticket)


def on_message_added(*, ticket: Ticket, message: Message, **_kwargs: Any) -> None:
    from anliegen.routing import quality, repeat

    if _busy_with(ticket) or ticket.message_count <= 1:
        return  # the first message is handled by on_ticket_created
    if message.kind == MessageKind.REPLY:
        return  # a contact is the customer's: a reply records none (and costs no savepoint)
    with _guard(ticket):
        found = _safely(repeat.record_message, ticket, message, ticket.status)
        if found is not None:
            _safely(quality.check_quality_care, ticket, now=message.created_at, reopening=True)
    # The status change that follows (reopen) recomputes the due times.


_last_sla: ContextVar[tuple[Any, ...] | None] = ContextVar("routing_last_sla", default=None)


def _recompute_sla_once(ticket: Ticket) -> None:
    """Recompute the due times unless they were just computed for the case as it is now: a reply
    that also changes the status fires two hooks for one change. The case's updated_at is new
    with every change, so a later change always recomputes."""
    from anliegen.routing.sla.compute import recompute_sla

    state = (ticket.pk, ticket.updated_at, ticket.status, ticket.priority, ticket.team_id, ticket.level,
             ticket.first_response_at, ticket.customer_id)
    if _last_sla.get() == state:
        return
    _safely(recompute_sla, ticket)
    _last_sla.set(state)


def on_reply_added(*, ticket: Ticket, message: Message, **_kwargs: Any) -> None:
    if not _busy_with(ticket):
        _recompute_sla_once(ticket)


def on_ticket_changed(*, ticket: Ticket, event: Event, **_kwargs: Any) -> None:
    from anliegen.routing import assignment, quality

    if _busy_with(ticket):
        return
    with _guard(ticket):
        if event.field == "team" and not ticket.assignee_id:
            _safely(assignment.auto_assign, ticket)
        if event.field == "tags" and ticket.status not in DONE_STATUSES:
            _safely(quality.check_quality_care, ticket, now=event.created_at)
        # One change of several fields fires this once per field; the due times once suffice.
        _recompute_sla_once(ticket)
