"""The case history in words: "Anna moved the case from Technischer Support to Second Level"
rather than "moved team: 3 → 7". Names are looked up in one query per kind for the whole list."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anliegen.accounts.models import Team, User
from anliegen.tickets.models import Event, Level, Priority, Status

KIND_LABELS = {
    "created": gettext_lazy("Case opened"),
    "replied": gettext_lazy("Replied"),
    "noted": gettext_lazy("Internal note"),
    "status": gettext_lazy("Status"),
    "reopened": gettext_lazy("Reopened"),
    "priority": gettext_lazy("Priority"),
    "assigned": gettext_lazy("Assignee"),
    "moved": gettext_lazy("Team"),
    "escalated": gettext_lazy("Escalated"),
    "deescalated": gettext_lazy("Level lowered"),
    "tagged": gettext_lazy("Tags"),
    "merged": gettext_lazy("Merged"),
    "subject": gettext_lazy("Subject"),
    "message_moved": gettext_lazy("Message moved"),
}


@dataclass(frozen=True)
class HistoryRow:
    event: Event
    actor: str
    label: str
    before: str
    after: str
    show_change: bool


def _choice_label(choices: type, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def describe(events: Iterable[Event]) -> list[HistoryRow]:
    events = list(events)
    team_ids: set[int] = set()
    user_ids: set[int] = set()
    for e in events:
        ids = {v for v in (e.before, e.after) if isinstance(v, int)}
        if e.field == "team":
            team_ids |= ids
        elif e.field == "assignee":
            user_ids |= ids
    teams = {t.pk: t.name for t in Team.objects.filter(pk__in=team_ids)} if team_ids else {}
    users = {u.pk: str(u) for u in User.objects.filter(pk__in=user_ids)} if user_ids else {}

    def value(field: str, raw: Any) -> str:
        if raw is None or raw == "" or raw == []:
            return "—"
        if field == "team":
            return teams.get(raw, _("team %(id)s") % {"id": raw})
        if field == "assignee":
            return users.get(raw, _("user %(id)s") % {"id": raw})
        if field == "status":
            return _choice_label(Status, raw)
        if field == "priority":
            return _choice_label(Priority, raw)
        if field == "level":
            return _choice_label(Level, raw)
        if isinstance(raw, list):
            return ", ".join(str(v) for v in raw)
        if isinstance(raw, dict):
            return ", ".join(f"{k}: {v}" for k, v in raw.items())
        return str(raw)

    rows = []
    for e in events:
        label = str(KIND_LABELS.get(e.kind, e.kind.replace("_", " ").capitalize()))
        actor = str(e.actor) if e.actor_id else (e.actor_label or _("system"))
        rows.append(HistoryRow(event=e, actor=actor, label=label, before=value(e.field, e.before),
                               after=value(e.field, e.after), show_change=bool(e.field)))
    return rows
