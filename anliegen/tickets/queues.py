"""Queue listings with filters and keyset pagination (fast at any depth: no OFFSET)."""

import base64
import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from anliegen.accounts.models import User
from anliegen.tickets.models import ACTIVE_STATUSES, Level, Priority, Status, Ticket

PAGE_SIZE = 50


@dataclass
class Filters:
    status: str = "active"  # "active", "all" or one Status value
    priority: int | None = None
    assignee: str = ""  # "", "me", "none" or a user id
    level: str = ""
    tag: str = ""

    @classmethod
    def from_query(cls, query: dict[str, str]) -> "Filters":
        status = query.get("status", "active")
        if status not in ("active", "all", *Status.values):
            status = "active"
        priority_text = query.get("priority", "")
        priority = int(priority_text) if priority_text.isdigit() and int(priority_text) in Priority.values else None
        level = query.get("level", "")
        level = level if level in Level.values else ""
        assignee = query.get("assignee", "")
        if assignee not in ("", "me", "none") and not assignee.isdigit():
            assignee = ""
        return cls(status=status, priority=priority, assignee=assignee, level=level,
                   tag=query.get("tag", "").strip().lower()[:60])

    def apply(self, tickets: QuerySet[Ticket], user: User) -> QuerySet[Ticket]:
        if self.status == "active":
            tickets = tickets.filter(status__in=ACTIVE_STATUSES)
        elif self.status != "all":
            tickets = tickets.filter(status=self.status)
        if self.priority:
            tickets = tickets.filter(priority=self.priority)
        if self.assignee == "me":
            tickets = tickets.filter(assignee=user)
        elif self.assignee == "none":
            tickets = tickets.filter(assignee__isnull=True)
        elif self.assignee:
            tickets = tickets.filter(assignee_id=int(self.assignee))
        if self.level:
            tickets = tickets.filter(level=self.level)
        if self.tag:
            tickets = tickets.filter(tags__name=self.tag)
        return tickets


def encode_cursor(ticket: Ticket) -> str:
    raw = f"{ticket.last_activity_at.isoformat()}|{ticket.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime.datetime, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, pk = raw.split("|")
        return datetime.datetime.fromisoformat(stamp), int(pk)
    except (ValueError, UnicodeDecodeError):
        return None


@dataclass
class Page:
    tickets: list[Ticket]
    next_cursor: str | None


def page(tickets: QuerySet[Ticket], cursor: str = "", size: int = PAGE_SIZE) -> Page:
    tickets = tickets.order_by("-last_activity_at", "-id")
    position = decode_cursor(cursor) if cursor else None
    if position:
        stamp, pk = position
        tickets = tickets.filter(Q(last_activity_at__lt=stamp) | Q(last_activity_at=stamp, id__lt=pk))
    rows = list(
        tickets.select_related("customer", "assignee", "team").prefetch_related("tags")[: size + 1]
    )
    next_cursor = encode_cursor(rows[size - 1]) if len(rows) > size else None
    return Page(tickets=rows[:size], next_cursor=next_cursor)
