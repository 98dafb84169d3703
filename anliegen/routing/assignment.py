"""Who gets a new case: per team (TeamRouting) manual, round robin or least loaded, preferring
agents who speak the case's language and whose skills match its tags. Agents who are away or
offline, inactive, or at their case cap (User.max_open_cases) are never chosen."""

from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Sum, Value, When
from django.utils.translation import gettext as _

from anliegen.accounts.models import Availability, User
from anliegen.lib import readcache
from anliegen.routing.models import AgentSkill, AssignmentMode, TeamRouting
from anliegen.tickets import actions
from anliegen.tickets.models import ACTIVE_STATUSES, Ticket

# Open cases weigh by priority: one urgent case is as much work as five low ones.
PRIORITY_WEIGHT = {1: 1, 2: 2, 3: 3, 4: 5}


@dataclass
class Choice:
    agent: User | None
    reason: str


def workload(users: list[User]) -> dict[int, tuple[int, int]]:
    """user id → (open cases, weighted load)."""
    weight = Case(*[When(priority=p, then=Value(w)) for p, w in PRIORITY_WEIGHT.items()],
                  default=Value(2), output_field=IntegerField())
    rows = (Ticket.objects.filter(assignee__in=users, status__in=ACTIVE_STATUSES)
            .values("assignee").annotate(count=Count("id"), load=Sum(weight)))
    result = {u.pk: (0, 0) for u in users}
    for row in rows:
        result[row["assignee"]] = (row["count"], row["load"] or 0)
    return result


def choose_assignee(ticket: Ticket, config: TeamRouting) -> Choice:
    if config.mode == AssignmentMode.MANUAL:
        return Choice(None, _("The team assigns by hand."))
    members = list(User.objects.filter(memberships__team_id=ticket.team_id, is_active=True).order_by("pk").distinct())
    loads = workload(members)
    eligible = [
        u for u in members
        if u.availability == Availability.AVAILABLE
        and (u.max_open_cases is None or loads[u.pk][0] < u.max_open_cases)
    ]
    if not eligible:
        return Choice(None, _("Nobody in the team is available below their case cap."))
    notes: list[str] = []
    if config.match_language and ticket.language:
        speakers = [u for u in eligible if ticket.language in (u.languages or [])]
        if speakers:
            eligible = speakers
            notes.append(_("speaks %(lang)s") % {"lang": ticket.language})
        else:
            notes.append(_("nobody available speaks %(lang)s") % {"lang": ticket.language})
    if config.match_skills:
        tags = set(ticket.tags.values_list("name", flat=True))
        if tags:
            skills: dict[int, int] = {}
            for user_id in AgentSkill.objects.filter(user__in=eligible, name__in=tags).values_list(
                    "user_id", flat=True):
                skills[user_id] = skills.get(user_id, 0) + 1
            if skills:
                best = max(skills.values())
                eligible = [u for u in eligible if skills.get(u.pk, 0) == best]
                notes.append(_("skills match the tags"))
    if config.mode == AssignmentMode.ROUND_ROBIN:
        after = config.last_assigned_id or 0
        agent = next((u for u in eligible if u.pk > after), eligible[0])
        how = _("round robin")
    else:
        agent = min(eligible, key=lambda u: (loads[u.pk][1], loads[u.pk][0], u.pk))
        how = _("least loaded (weighted load %(load)s)") % {"load": loads[agent.pk][1]}
    return Choice(agent, ", ".join([how, *notes]))


def routed_teams() -> frozenset[int]:
    """The teams with assignment settings (read once per mail or batch while mail is stored)."""
    return readcache.cached("routing.routed_teams",
                            lambda: frozenset(TeamRouting.objects.values_list("team_id", flat=True)))


def nothing_to_assign(ticket: Ticket) -> bool:
    """True when auto_assign would surely leave the case alone, known without a query."""
    if ticket.assignee_id or not ticket.is_active:
        return True
    routed = readcache.peek("routing.routed_teams")
    return routed is not None and ticket.team_id not in routed


def auto_assign(ticket: Ticket) -> User | None:
    """Assign an unassigned active case by its team's settings; None if nobody was chosen."""
    if ticket.assignee_id or not ticket.is_active:
        return None
    if ticket.team_id not in routed_teams():
        return None  # the team has no assignment settings (what the query below would find)
    config = TeamRouting.objects.select_for_update().filter(team_id=ticket.team_id).first()
    if config is None:
        return None
    choice = choose_assignee(ticket, config)
    if choice.agent is None:
        return None
    actions.assign_ticket(ticket=ticket, assignee=choice.agent, actor=None, actor_label="routing",
                          reason=_("Assigned automatically: %(why)s") % {"why": choice.reason})
    if config.mode == AssignmentMode.ROUND_ROBIN:
        config.last_assigned = choice.agent
        config.save(update_fields=["last_assigned"])
    return choice.agent
