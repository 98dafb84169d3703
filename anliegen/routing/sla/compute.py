"""Due times per case: the policy that applies, the stretches the clock ran (not while the case
was pending, solved or closed), and the breach check the worker runs."""

import datetime
import logging
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from anliegen.accounts.models import Membership, Role, Team, User
from anliegen.lib import readcache
from anliegen.routing.models import BusinessCalendarConfig, CaseSLA, RoutingSettings, Segment, SLAPolicy
from anliegen.routing.sla.calendar import BusinessCalendar, CalendarError, due_over_intervals, holiday_checker
from anliegen.tickets import actions
from anliegen.tickets.models import LEVEL_ORDER, Level, Priority, Status, Ticket

log = logging.getLogger(__name__)
RUNNING = (Status.NEW, Status.OPEN)
_cache: dict[tuple, BusinessCalendar] = {}


def business_calendar(config: BusinessCalendarConfig) -> BusinessCalendar:
    """The pure calendar for a stored one (cached while its settings stay the same)."""
    hours = {int(k): [tuple(span) for span in v] for k, v in (config.hours or {}).items()}
    closed = tuple(sorted(config.closed_dates or []))
    key = (config.pk, repr(sorted(hours.items())), config.country, config.subdivision, config.include_optional,
           config.timezone, closed)
    if key not in _cache:
        dates = [datetime.date.fromisoformat(d) for d in closed]
        _cache[key] = BusinessCalendar(
            hours=hours, tz=ZoneInfo(config.timezone),  # type: ignore[arg-type]
            is_closed=holiday_checker(config.country, config.subdivision, optional=config.include_optional,
                                      closed_dates=dates))
    return _cache[key]


def segments_of(ticket: Ticket, settings: RoutingSettings, today: datetime.date) -> set[str]:
    customer = ticket.customer
    found = {Segment.BUSINESS if customer.organisation_id else Segment.PRIVATE}
    since = customer.customer_since
    if since and (today - since).days >= settings.quality_care_years * 365.25:
        found.add(Segment.LONG_STANDING)
    return found


def active_policies() -> list[SLAPolicy]:
    """Every active policy with its calendar (read once per mail or batch while mail is stored)."""
    return readcache.cached("routing.sla_policies",
                            lambda: list(SLAPolicy.objects.filter(active=True).select_related("calendar")))


def policy_for(ticket: Ticket, settings: RoutingSettings | None = None) -> SLAPolicy | None:
    """The most specific active policy matching the case's team, priority and customer segment."""
    settings = settings or RoutingSettings.load()
    segments = segments_of(ticket, settings, timezone.localdate())
    candidates = [p for p in active_policies()
                  if (p.team_id is None or p.team_id == ticket.team_id)
                  and (p.priority is None or p.priority == ticket.priority)
                  and (p.segment == "" or p.segment in segments)]
    best = sorted(candidates, key=lambda p: (-(bool(p.team_id) * 4 + bool(p.priority) * 2 + bool(p.segment)), p.pk))
    return best[0] if best else None


def team_calendar(team: Team | None) -> BusinessCalendar | None:
    """The business hours a team works by: the calendar of its own active SLA policy (the one
    for any priority and customer first), else of a policy for every team; None if there is none."""
    policies = active_policies()
    own = [p for p in policies if team is not None and p.team_id == team.pk]
    general = [p for p in policies if p.team_id is None]
    for group in (own, general):
        if group:
            best = sorted(group, key=lambda p: (p.priority is not None, bool(p.segment), p.pk))[0]
            try:
                return business_calendar(best.calendar)
            except CalendarError:
                continue
    return None


def opening_hours(team: Team | None) -> Callable[[datetime.datetime], datetime.datetime] | None:
    """For tickets.hooks.register_opening_hours: the team's next open moment, by its calendar."""
    calendar = team_calendar(team)
    if calendar is None:
        return None

    def next_open(moment: datetime.datetime) -> datetime.datetime:
        try:
            return calendar.next_open(moment)
        except CalendarError:
            return moment
    return next_open


def running_intervals(ticket: Ticket) -> list[tuple[datetime.datetime, datetime.datetime | None]]:
    """The stretches the case was new or open, from its status history; the last one open-ended
    (None) if it is running now."""
    intervals: list[tuple[datetime.datetime, datetime.datetime | None]] = []
    status, since = Status.NEW, ticket.created_at
    for at, after in ticket.events.filter(field="status").order_by("created_at", "id").values_list(
            "created_at", "after"):
        if at < since:
            at = since
        if status in RUNNING and after not in RUNNING:
            intervals.append((since, at))
        if after in RUNNING and status not in RUNNING:
            since = at
        status = after
    if status in RUNNING:
        intervals.append((since, None))
    return intervals


def recompute_sla(ticket: Ticket, *, now: datetime.datetime | None = None) -> CaseSLA | None:
    """Store the case's due times under the policy that applies now (None: no policy)."""
    policy = None
    if active_policies():  # else no policy applies, whatever the case looks like now
        ticket = Ticket.objects.select_related("customer").get(pk=ticket.pk)
        policy = policy_for(ticket)
    existing = CaseSLA.objects.filter(ticket=ticket).first()
    if policy is None:
        if existing:
            existing.policy = None
            existing.first_response_due = existing.resolution_due = None
            existing.paused = False
            existing.save()
        return existing
    calendar = business_calendar(policy.calendar)
    intervals = running_intervals(ticket)
    first_due = due_over_intervals(calendar, intervals, policy.first_response_minutes)
    resolution_due = due_over_intervals(calendar, intervals, policy.resolution_minutes)
    row = existing or CaseSLA(ticket=ticket)
    if ticket.first_response_at is not None and row.first_response_due and row.policy_id == policy.pk:
        first_due = row.first_response_due  # answered: the target it was measured against stays
    row.policy = policy
    row.first_response_due = first_due
    row.resolution_due = resolution_due
    row.paused = ticket.status == Status.PENDING
    row.computed_at = now or timezone.now()
    row.save()
    return row


def state_of(row: CaseSLA, ticket: Ticket, now: datetime.datetime) -> dict[str, str]:
    """For display: "met", "breached", "due", "paused", "done" per target."""
    def one(due: datetime.datetime | None, done_at: datetime.datetime | None,
            breached_at: datetime.datetime | None) -> str:
        if done_at is not None:
            return "breached" if (breached_at or (due and done_at > due)) else "met"
        if breached_at or (due and due <= now):
            return "breached"
        if due is None:
            return "paused" if ticket.status == Status.PENDING else "none"
        return "soon" if due - now <= SOON else "due"

    resolved_at = ticket.solved_at if ticket.status in (Status.SOLVED, Status.CLOSED) else None
    return {"first_response": one(row.first_response_due, ticket.first_response_at, row.first_response_breached_at),
            "resolution": one(row.resolution_due, resolved_at, row.resolution_breached_at)}


# --- Breaches ------------------------------------------------------------------------------

SOON = datetime.timedelta(hours=2)  # "about to breach" (the SLA page's "soon" too)


def about_to_breach(*, now: datetime.datetime | None = None, within: datetime.timedelta = SOON,
                    limit: int = 500) -> list[tuple[Ticket, str, datetime.datetime]]:
    """Assigned running cases whose first response or resolution falls due within `within`:
    (case, "first_response" or "resolution", due time). A read for other apps (notifications)."""
    now = now or timezone.now()
    horizon = now + within
    rows = (CaseSLA.objects.filter(ticket__status__in=RUNNING, ticket__assignee__isnull=False, policy__isnull=False)
            .filter(Q(first_response_due__gt=now, first_response_due__lte=horizon,
                      ticket__first_response_at__isnull=True)
                    | Q(resolution_due__gt=now, resolution_due__lte=horizon))
            .select_related("ticket", "ticket__assignee").order_by("pk")[:limit])
    result = []
    for row in rows:
        ticket = row.ticket
        if row.first_response_due and ticket.first_response_at is None and now < row.first_response_due <= horizon:
            result.append((ticket, "first_response", row.first_response_due))
        if row.resolution_due and now < row.resolution_due <= horizon:
            result.append((ticket, "resolution", row.resolution_due))
    return result


def check_sla_breaches(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """Record every breach that happened by `now` and run its policy's escalation, exactly once
    per case and target. A row that fails is logged and skipped."""
    now = now or timezone.now()
    due = (CaseSLA.objects.filter(ticket__status__in=RUNNING, policy__isnull=False)
           .filter(Q(first_response_due__lte=now, first_response_breached_at__isnull=True,
                     ticket__first_response_at__isnull=True)
                   | Q(resolution_due__lte=now, resolution_breached_at__isnull=True))
           .values_list("pk", flat=True)[:limit])
    handled = 0
    for pk in list(due):
        try:
            with transaction.atomic():
                handled += _handle_breach(pk, now)
        except Exception:  # one bad row must not stop the others or the worker
            log.exception("SLA breach check failed for CaseSLA %s", pk)
    return handled


def _handle_breach(pk: int, now: datetime.datetime) -> int:
    row = CaseSLA.objects.select_related("ticket", "policy", "ticket__team").get(pk=pk)
    ticket, policy = row.ticket, row.policy
    assert policy is not None
    kinds = []
    if (row.first_response_due and row.first_response_due <= now and ticket.first_response_at is None
            and CaseSLA.objects.filter(pk=pk, first_response_breached_at__isnull=True)
            .update(first_response_breached_at=now)):
        kinds.append((_("first response"), row.first_response_due))
    if (row.resolution_due and row.resolution_due <= now
            and CaseSLA.objects.filter(pk=pk, resolution_breached_at__isnull=True).update(resolution_breached_at=now)):
        kinds.append((_("resolution"), row.resolution_due))
    if not kinds:
        return 0
    what = _(" and ").join(
        _("the %(target)s was due %(when)s") % {"target": k, "when": timezone.localtime(d).strftime("%Y-%m-%d %H:%M")}
        for k, d in kinds)
    reason = _("SLA “%(policy)s” breached: %(what)s.") % {"policy": policy.name, "what": what}
    if policy.notify_lead:
        leads = team_leads(ticket)
        text = reason + "\n" + _("For the attention of: %(names)s") % {
            "names": ", ".join(str(u) for u in leads) or _("the lead")}
        actions.add_note(ticket=ticket, author=None, actor_label="routing", text=text,
                         meta={"sla_breach": [str(k) for k, _d in kinds], "notify": [u.pk for u in leads]})
    if policy.raise_priority and ticket.priority < Priority.URGENT:
        actions.set_priority(ticket=ticket, priority=ticket.priority + 1, actor=None, actor_label="routing",
                             reason=reason)
    if policy.raise_level and LEVEL_ORDER.index(Level(ticket.level)) < len(LEVEL_ORDER) - 1:
        actions.escalate_ticket(ticket=ticket, reason=reason, actor=None, actor_label="routing")
    return len(kinds)


def team_leads(ticket: Ticket) -> list[User]:
    leads = [m.user for m in Membership.objects.filter(team_id=ticket.team_id, is_team_lead=True,
                                                       user__is_active=True).select_related("user")]
    return leads or list(User.objects.filter(role=Role.LEAD, is_active=True).order_by("pk"))


__all__ = ["CalendarError", "business_calendar", "check_sla_breaches", "policy_for", "recompute_sla"]
