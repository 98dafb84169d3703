"""A small registry through which feature apps react to what happens to a case, without
the tickets app importing them (arrows point inward).

Hooks run inside the action's transaction: a hook that writes (an outbox row, a routing
decision) commits or rolls back together with the change that triggered it.

Events:
    ticket_created(ticket, message)     after a case and its first message were stored
    message_added(ticket, message)      after any message (inbound, reply, note) was stored
    reply_added(ticket, message)        after an outbound reply was stored (mail sends it)
    ticket_changed(ticket, event)       after a field changed (status, team, level, ...)

Panels: feature apps add a small htmx partial to the case view with `register_panel`.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_hooks: dict[str, list[Callable[..., Any]]] = defaultdict(list)


def register(hook: str, function: Callable[..., Any]) -> None:
    if function not in _hooks[hook]:
        _hooks[hook].append(function)


def fire(hook: str, **kwargs: Any) -> None:
    for function in list(_hooks[hook]):
        function(**kwargs)


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
