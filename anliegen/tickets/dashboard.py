"""The lead's view: what needs the lead now, and where the work piles up.

Built to stay fast at 1,000,000 cases: every query reads either only the active cases
through the queue index (team, status, ...) — the team list is passed explicitly so the
index can be used — or the assignee index, or a bounded range (today's cases on
created_at); lists carry a LIMIT. About ten queries in all, however many cases there are.

The load per team, status and level is counted from the partial index ticket_active_load
alone; the escalated and unanswered lists seek their own partial indexes (see Ticket.Meta).
A recompute took about 23 ms at 100,000 cases; the overview is still kept for CACHE_SECONDS
per process, since a lead's page is reloaded often and a few seconds' staleness is harmless."""

import datetime
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone

from anliegen.accounts.models import Team, User
from anliegen.tickets.models import ACTIVE_STATUSES, Event, Level, Status, Ticket

LIST_LIMIT = 50
CACHE_SECONDS = 30
CACHE_KEY = "tickets:lead-overview"


@dataclass
class TeamLoad:
    team: Team
    by_status: dict[str, int] = field(default_factory=dict)
    unassigned: int = 0
    second_level: int = 0
    lead_level: int = 0
    new_today: int = 0

    @property
    def active(self) -> int:
        return sum(self.by_status.values())

    @property
    def status_counts(self) -> list[int]:
        """Counts in the order of ACTIVE_STATUSES (the table's columns)."""
        return [self.by_status.get(s, 0) for s in ACTIVE_STATUSES]


@dataclass
class AgentLoad:
    user: User
    active: int

    @property
    def over_cap(self) -> bool:
        return self.user.max_open_cases is not None and self.active > self.user.max_open_cases


@dataclass
class LeadOverview:
    escalated: list[Ticket]
    teams: list[TeamLoad]
    agents: list[AgentLoad]
    oldest_unanswered: list[Ticket]
    new_today: int
    statuses: list[tuple[str, str]]
    computed_at: datetime.datetime

    @property
    def second_level_total(self) -> int:
        return sum(t.second_level for t in self.teams)

    @property
    def lead_level_total(self) -> int:
        return sum(t.lead_level for t in self.teams)


def start_of_today(now: datetime.datetime | None = None) -> datetime.datetime:
    local = timezone.localtime(now or timezone.now())
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def lead_overview(now: datetime.datetime | None = None) -> LeadOverview:
    teams = list(Team.objects.order_by("name"))
    team_ids = [t.pk for t in teams]
    loads = {t.pk: TeamLoad(team=t) for t in teams}
    active = Ticket.objects.filter(team_id__in=team_ids, status__in=ACTIVE_STATUSES)

    for row in (active.values("team_id", "status", "level").order_by()
                .annotate(n=Count("id"), unassigned=Count("id", filter=Q(assignee__isnull=True)))):
        load = loads[row["team_id"]]
        load.by_status[row["status"]] = load.by_status.get(row["status"], 0) + row["n"]
        load.unassigned += row["unassigned"]
        if row["level"] == Level.SECOND:
            load.second_level += row["n"]
        elif row["level"] == Level.LEAD:
            load.lead_level += row["n"]

    today = (Ticket.objects.filter(created_at__gte=start_of_today(now)).values("team_id").order_by()
             .annotate(n=Count("id")))
    for row in today:
        if row["team_id"] in loads:
            loads[row["team_id"]].new_today = row["n"]

    # The lists show cases (subject, customer): never a confidential team's, whose members
    # alone see its content; its cases count in the team table above (accounts.permissions).
    listed = Ticket.objects.filter(team_id__in=[t.pk for t in teams if not t.confidential],
                                   status__in=ACTIVE_STATUSES)
    escalated = list(
        listed.filter(level=Level.LEAD).select_related("team", "assignee", "customer")
        .order_by("last_activity_at", "id")[:LIST_LIMIT]
    )
    # Why each was escalated: the latest escalation event of each listed case (event_ticket index).
    reasons: dict[int, str] = {}
    for ticket_id, reason in (Event.objects.filter(ticket__in=[t.pk for t in escalated], kind="escalated")
                              .order_by("ticket_id", "created_at", "id").values_list("ticket_id", "reason")):
        reasons[ticket_id] = reason
    for ticket in escalated:
        ticket.escalation_reason = reasons.get(ticket.pk, "")  # type: ignore[attr-defined]
    oldest = list(
        listed.filter(first_response_at__isnull=True).select_related("team", "assignee", "customer")
        .order_by("created_at", "id")[:LIST_LIMIT // 2]
    )
    staff = list(User.objects.filter(is_active=True, memberships__isnull=False).distinct().order_by("username"))
    counts = dict(
        Ticket.objects.filter(assignee_id__in=[u.pk for u in staff], status__in=ACTIVE_STATUSES)
        .values("assignee_id").order_by().annotate(n=Count("id")).values_list("assignee_id", "n")
    )
    agents = sorted((AgentLoad(user=u, active=counts.get(u.pk, 0)) for u in staff),
                    key=lambda a: (-a.active, a.user.username))
    return LeadOverview(
        escalated=escalated, teams=list(loads.values()), agents=agents, oldest_unanswered=oldest,
        new_today=sum(t.new_today for t in loads.values()),
        # Lazy labels: the cached overview is shown to users of every language.
        statuses=[(s, Status(s).label) for s in ACTIVE_STATUSES], computed_at=timezone.now(),
    )


def cached_lead_overview() -> LeadOverview:
    """The overview, recomputed when older than CACHE_SECONDS (per process: the default cache)."""
    overview = cache.get(CACHE_KEY)
    if overview is None:
        overview = lead_overview()
        cache.set(CACHE_KEY, overview, CACHE_SECONDS)
    return overview
