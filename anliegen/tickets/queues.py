"""Queue listings with filters and keyset pagination (fast at any depth: no OFFSET).

Every query here is bounded by an index and a LIMIT, so a queue page costs the same at
1,000 cases as at 1,000,000:

- a page of "active" cases reads each active status along the queue index
  (team or assignee, status, -last_activity_at, -id) and merges the three short runs,
  instead of sorting every active case of the team;
- the live poll asks only for rows newer than the newest one shown;
- the header counts per status stop counting at COUNT_CAP ("999+")."""

import base64
import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db import connections
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from anliegen.accounts.models import User
from anliegen.customers.models import CustomerEmail
from anliegen.tickets.models import ACTIVE_STATUSES, Level, Priority, Status, Ticket, format_number

PAGE_SIZE = 50
LIVE_LIMIT = 50
COUNT_CAP = 999


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
        if assignee not in ("", "me", "none") and not (assignee.isdigit() and len(assignee) < 12):
            assignee = ""
        return cls(status=status, priority=priority, assignee=assignee, level=level,
                   tag=query.get("tag", "").strip().lower()[:60])

    @property
    def statuses(self) -> tuple[str, ...]:
        """The statuses shown; empty means all of them."""
        if self.status == "active":
            return tuple(ACTIVE_STATUSES)
        if self.status == "all":
            return ()
        return (self.status,)

    def query(self, **changes: str) -> str:
        """The query string of these filters with some values changed (for quick-filter links)."""
        values = {"status": self.status, "priority": str(self.priority or ""), "assignee": self.assignee,
                  "level": self.level, "tag": self.tag}
        values.update(changes)
        return urlencode({k: v for k, v in values.items() if v and not (k == "status" and v == "active")})

    def quick_filters(self) -> list[tuple[str, str, bool]]:
        """(label, query string, is current) for the one-click filters above a queue."""
        return [
            (_("Active"), self.query(status="active", assignee="", priority=""), self == Filters()),
            (_("Unassigned"), self.query(status="active", assignee="none", priority=""), self.assignee == "none"),
            (_("Urgent"), self.query(status="active", assignee="", priority=str(Priority.URGENT)),
             self.priority == Priority.URGENT),
            (_("Pending"), self.query(status=Status.PENDING, assignee="", priority=""),
             self.status == Status.PENDING),
        ]

    def apply(self, tickets: QuerySet[Ticket], user: User, *, status: bool = True) -> QuerySet[Ticket]:
        """Narrow tickets by these filters; status=False leaves the status to the caller (see page)."""
        statuses = self.statuses
        if status and len(statuses) == 1:
            tickets = tickets.filter(status=statuses[0])
        elif status and statuses:
            tickets = tickets.filter(status__in=statuses)
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


def encode_position(stamp: datetime.datetime, pk: int) -> str:
    raw = f"{stamp.isoformat()}|{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def encode_cursor(ticket: Ticket) -> str:
    return encode_position(ticket.last_activity_at, ticket.pk)


def decode_cursor(cursor: str) -> tuple[datetime.datetime, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, pk = raw.split("|")
        moment = datetime.datetime.fromisoformat(stamp)
        if moment.tzinfo is None:
            return None
        return moment, int(pk)
    except (ValueError, UnicodeDecodeError):
        return None


@dataclass
class Page:
    tickets: list[Any]  # Ticket, or Row for the workspace's lists
    next_cursor: str | None


@dataclass
class Row:
    """What a queue table shows of a case: read as plain columns, several times cheaper than
    a case with its customer, assignee and team as model objects."""

    pk: int
    subject: str
    status: str
    priority: int
    level: str
    last_activity_at: datetime.datetime
    assignee_id: int | None
    customer_label: str
    assignee_label: str
    tag_names: list[str]
    queue_cursor: str = ""

    @property
    def number(self) -> str:
        return format_number(self.pk)


_ROW_COLUMNS = ("id", "subject", "status", "priority", "level", "last_activity_at", "assignee_id", "customer_id",
                "customer__name", "assignee__display_name", "assignee__first_name", "assignee__last_name",
                "assignee__username")


def load_tickets(ids: Sequence[int]) -> list[Ticket]:
    """The cases with these ids in this order, with customer, assignee, team and tag names."""
    by_id = Ticket.objects.select_related("customer", "assignee", "team").in_bulk(ids)
    shown = [by_id[pk] for pk in ids if pk in by_id]
    attach_tag_names(shown)
    return shown


def load_rows(ids: Sequence[int]) -> list[Row]:
    """Queue rows for these ids in this order (see Row)."""
    found = {values[0]: values for values in Ticket.objects.filter(pk__in=ids).values_list(*_ROW_COLUMNS)}
    nameless = {values[7] for values in found.values() if not values[8]}
    first_address: dict[int, str] = {}
    if nameless:  # as Customer.__str__: the first address of a customer without a name
        for customer_id, address in (CustomerEmail.objects.filter(customer_id__in=nameless).order_by("-pk")
                                     .values_list("customer_id", "address")):
            first_address[customer_id] = address
    rows = []
    for pk in ids:
        if pk not in found:
            continue
        (_id, subject, status, priority, level, stamp, assignee_id, customer_id, customer_name,
         display_name, first_name, last_name, username) = found[pk]
        rows.append(Row(
            pk=pk, subject=subject, status=status, priority=priority, level=level, last_activity_at=stamp,
            assignee_id=assignee_id,
            customer_label=customer_name or first_address.get(customer_id) or f"#{customer_id}",
            assignee_label=User.label(display_name, first_name, last_name, username) if assignee_id else "",
            tag_names=[]))
    attach_tag_names(rows)
    return rows


def _run(tickets: QuerySet[Ticket], position: tuple[datetime.datetime, int] | None,
         limit: int) -> QuerySet[Ticket]:
    """Up to limit cases after position, newest first, as positions (last activity, id)."""
    tickets = tickets.order_by("-last_activity_at", "-id")
    if position:
        stamp, pk = position
        # The redundant last_activity_at <= stamp is what the index can seek to; the OR alone
        # is only a filter, and a page 500 deep would read the 25,000 rows before it.
        tickets = tickets.filter(Q(last_activity_at__lt=stamp) | Q(last_activity_at=stamp, id__lt=pk),
                                 last_activity_at__lte=stamp)
    return tickets.values_list("last_activity_at", "id")[:limit]


def _merged_ids(runs: Sequence[QuerySet[Ticket]], limit: int) -> list[int]:
    """The ids of the newest limit cases of several runs, in one round trip: each run keeps its
    own ORDER BY ... LIMIT (an index range) and only the merged few hundred rows are sorted."""
    if len(runs) == 1:
        return [pk for _stamp, pk in runs[0]]
    parts, params = [], []
    for n, run in enumerate(runs):
        sql, run_params = run.query.sql_with_params()
        parts.append(f"SELECT * FROM ({sql}) AS run{n}")
        params.extend(run_params)
    sql = (f"SELECT id FROM ({' UNION ALL '.join(parts)}) AS runs "
           f"ORDER BY last_activity_at DESC, id DESC LIMIT {int(limit)}")
    with connections[runs[0].db].cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def page(tickets: QuerySet[Ticket], cursor: str = "", size: int = PAGE_SIZE, *,
         split_statuses: Sequence[str] = (),
         load: Callable[[Sequence[int]], Sequence[Any]] = load_tickets) -> Page:
    """One page, newest activity first. With split_statuses, tickets must not be filtered by
    status yet: each status is read along its own index run and the runs are merged.

    The runs read only positions (two columns from the index); the rows shown are then read
    by primary key through load: whole cases (load_tickets, the API) or list rows (load_rows)."""
    position = decode_cursor(cursor) if cursor else None
    if split_statuses:
        runs = [_run(tickets.filter(status=s), position, size + 1) for s in split_statuses]
    else:
        runs = [_run(tickets, position, size + 1)]
    ids = _merged_ids(runs, size + 1)
    shown = list(load(ids[:size]))
    next_cursor = encode_cursor(shown[-1]) if len(ids) > size and shown else None
    return Page(tickets=shown, next_cursor=next_cursor)


def attach_tag_names(tickets: Sequence[Ticket | Row]) -> None:
    """Set ticket.tag_names (sorted) on each row, in one query: a list row shows tag names
    only, and prefetching tag objects costs several times more for fifty rows."""
    names: dict[int, list[str]] = {t.pk: [] for t in tickets}
    rows = (Ticket.tags.through.objects.filter(ticket_id__in=list(names))
            .order_by("tag__name").values_list("ticket_id", "tag__name"))
    for ticket_id, name in rows:
        names[ticket_id].append(name)
    for ticket in tickets:
        ticket.tag_names = names[ticket.pk]  # type: ignore[union-attr]


def newer(tickets: QuerySet[Ticket], since: str, limit: int = LIVE_LIMIT) -> list[Ticket]:
    """Cases (already filtered) with activity after the position `since`, newest first: what a
    live queue prepends. An unreadable position gives nothing rather than everything."""
    position = decode_cursor(since)
    if position is None:
        return []
    stamp, pk = position
    rows = list(
        tickets.filter(Q(last_activity_at__gt=stamp) | Q(last_activity_at=stamp, id__gt=pk),
                       last_activity_at__gte=stamp)
        .order_by("-last_activity_at", "-id").select_related("customer", "assignee", "team")[:limit]
    )
    attach_tag_names(rows)
    return rows


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int
    capped: bool

    @property
    def shown(self) -> str:
        return f"{self.count}+" if self.capped else str(self.count)


def status_counts(tickets: QuerySet[Ticket], statuses: Sequence[str] = ACTIVE_STATUSES,
                  cap: int | None = None) -> list[StatusCount]:
    """How many cases per status, counting at most cap+1 each (an index range, never the
    table), all statuses in one round trip."""
    cap = COUNT_CAP if cap is None else cap
    if not statuses:
        return []
    parts, params = [], []
    for n, status in enumerate(statuses):
        sql, part_params = tickets.filter(status=status).order_by().values("id")[: cap + 1].query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS capped{n})")
        params.extend(part_params)
    with connections[tickets.db].cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        counts = cursor.fetchone()
    return [StatusCount(status=status, label=str(Status(status).label), count=min(count, cap), capped=count > cap)
            for status, count in zip(statuses, counts, strict=True)]
