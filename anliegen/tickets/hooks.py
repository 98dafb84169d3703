"""A small registry through which feature apps react to what happens to a case, without
the tickets app importing them (arrows point inward).

Hooks run inside the action's transaction: a hook that writes (an outbox row, a routing
decision) commits or rolls back together with the change that triggered it.

Events:
    ticket_created(ticket, message)     after a case and its first message were stored
    message_added(ticket, message)      after any message (inbound, reply, note) was stored
    reply_added(ticket, message)        after an outbound reply was stored (mail sends it)
    ticket_changed(ticket, event)       after a field changed (status, team, level, ...)
    ticket_viewed(ticket, user)         a member of staff opened the case page (after the access check)

Feature apps may fire events of their own for others to hear (phone: callback_due(callback,
ticket); routing: sla_warning(ticket, target, due_at)).

Order: `register(hook, function, order=...)` runs the functions of one event by their order,
lowest first (same order: in the order registered). The contract, tested in
tickets/tests/test_hooks.py:
    DECIDE   (10)  routing: rules, assignment, repeat contact, Quality-Care, SLA due times;
                   whatever changes the case itself runs first, so that later hooks see the
                   team, assignee and level the case ends up with
    FEATURE  (50)  feature apps that record or react (the default)
    DELIVER  (90)  mail: acknowledgements and replies into the outbox, last, so a mail is
                   written for the case as routing left it (its team's sender and language)
A hook that needs another app's result registers a higher number than that app's; nothing
relies on the order in which the apps happen to be installed.

Panels: feature apps add a small htmx partial to the case view with `register_panel`.
Navigation: a feature app adds its side-bar link with `register_nav` (ordered by `order`;
tickets' own entries use 10-30, phone 40s, replies 50s, lead pages 100s, admin pages 200s).
Bulk actions: a feature app adds a button under every queue with `register_bulk_action`.
Neither needs an edit of base.html or queue.html.

Delivery: how a reply reaches the customer. A feature app that can carry replies (mail)
registers a resolver with `register_delivery`; the first one that answers wins. Without
one, a reply is visible in the portal only. The reply box shows the answer before sending
and `add_reply` stores the reply with it, so what the agent was told is what happens.

Opening hours: `register_opening_hours` (routing's calendars); `next_open(team, moment)` moves
a suggested time (a callback preset, the next try) into the team's business hours.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

DECIDE = 10
FEATURE = 50
DELIVER = 90

_hooks: dict[str, list[tuple[int, Callable[..., Any]]]] = defaultdict(list)


def register(hook: str, function: Callable[..., Any], *, order: int = FEATURE) -> None:
    if all(registered is not function for _order, registered in _hooks[hook]):
        _hooks[hook].append((order, function))
        _hooks[hook].sort(key=lambda pair: pair[0])  # stable: equal orders keep their sequence


def registered(hook: str) -> list[Callable[..., Any]]:
    """The functions an event runs, in the order it runs them."""
    return [function for _order, function in _hooks[hook]]


def fire(hook: str, **kwargs: Any) -> None:
    for function in registered(hook):
        function(**kwargs)


@dataclass(frozen=True)
class Delivery:
    """Where a reply goes: channel "email" with the address, or "portal" (no address)."""

    channel: str
    address: str = ""


_deliveries: list[Callable[[Any], "Delivery | None"]] = []


def register_delivery(function: Callable[[Any], "Delivery | None"]) -> None:
    if function not in _deliveries:
        _deliveries.append(function)


def delivery_for(ticket: Any) -> Delivery:
    """How a reply on this case would reach the customer now."""
    for function in list(_deliveries):
        found = function(ticket)
        if found is not None:
            return found
    return Delivery(channel="portal")


# Opening hours: when a team takes calls. A feature app that keeps business-hours calendars
# (routing) registers a resolver with `register_opening_hours`: resolver(team) gives a function
# moment → the first open moment at or after it, or None when it knows no hours for the team.
# Without one, every moment is open.
_opening_hours: list[Callable[[Any], Callable[[Any], Any] | None]] = []


def register_opening_hours(function: Callable[[Any], Callable[[Any], Any] | None]) -> None:
    if function not in _opening_hours:
        _opening_hours.append(function)


def opening_for(team: Any) -> Callable[[Any], Any]:
    """moment → the first moment at or after it at which `team` (None: the site) is open.
    Resolved once: a list that asks for many moments of one team asks this once."""
    for function in list(_opening_hours):
        opening = function(team)
        if opening is not None:
            return opening
    return lambda moment: moment


def next_open(team: Any, moment: Any) -> Any:
    """The first moment at or after `moment` at which `team` (None: the site) is open."""
    return opening_for(team)(moment)


@dataclass(frozen=True)
class Panel:
    """A box in the case view's side column, loaded by htmx from the feature app's own URL."""

    name: str
    title: str
    url_name: str  # reversed with the case number as the only argument
    order: int = 100


_panels: list[Panel] = []


def register_panel(panel: Panel) -> None:
    if all(p.name != panel.name for p in _panels):
        _panels.append(panel)
        _panels.sort(key=lambda p: p.order)


def panels() -> list[Panel]:
    return list(_panels)


# --- Navigation and queue bulk actions ------------------------------------------------------

def _everyone(user: Any) -> bool:
    return True


def leads_only(user: Any) -> bool:
    """For `visible`: leads and administrators."""
    from anliegen.accounts.permissions import can_manage

    return can_manage(user)


def admins_only(user: Any) -> bool:
    """For `visible`: administrators."""
    from anliegen.accounts.permissions import can_administer

    return can_administer(user)


@dataclass(frozen=True)
class NavEntry:
    """A link in the side bar's "Work" list (or its "Queues" list). `visible` decides per user (a role, a setting);
    `badge_url_name`, if given, is an htmx URL (no arguments) that answers with a small count
    and is polled, so the link shows e.g. unread notifications."""

    name: str
    label: str
    url_name: str  # reversed without arguments
    order: int = 100
    visible: Callable[[Any], bool] = _everyone
    badge_url_name: str = ""
    section: str = "work"  # "work", or "queues" for a list of cases shown beside "My cases"


@dataclass(frozen=True)
class BulkAction:
    """A button under a queue: the ticked cases (checkboxes named "tickets") and `next` are
    posted to the feature app's own URL."""

    name: str
    label: str
    url_name: str  # reversed without arguments
    order: int = 100
    visible: Callable[[Any], bool] = _everyone


_nav: list[NavEntry] = []
_bulk_actions: list[BulkAction] = []


def register_nav(entry: NavEntry) -> None:
    if all(e.name != entry.name for e in _nav):
        _nav.append(entry)
        _nav.sort(key=lambda e: e.order)


def register_bulk_action(action: BulkAction) -> None:
    if all(a.name != action.name for a in _bulk_actions):
        _bulk_actions.append(action)
        _bulk_actions.sort(key=lambda a: a.order)


def nav_entries(user: Any) -> list[NavEntry]:
    return [e for e in _nav if e.visible(user)]


def bulk_actions(user: Any) -> list[BulkAction]:
    return [a for a in _bulk_actions if a.visible(user)]
