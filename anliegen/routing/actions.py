"""Writes to routing's own tables: rules, team assignment settings, skills, calendars, SLA
policies, the routing settings and review outcomes. Keyword-only, atomic; a bad request raises
ActionError with a message for the user."""

import datetime
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anliegen.accounts.models import Team, User
from anliegen.routing.models import (
    AgentSkill,
    BusinessCalendarConfig,
    ReviewEntry,
    ReviewOutcome,
    RoutingSettings,
    Rule,
    SLAPolicy,
    TeamRouting,
)
from anliegen.routing.rules import check_rules, has_actions
from anliegen.routing.sla.calendar import CalendarError, parse_hours
from anliegen.tickets import actions as ticket_actions
from anliegen.tickets.actions import ActionError
from anliegen.tickets.models import Level, Status, Ticket

RULE_FIELDS = ["name", "active", "stop_processing", "channel", "team", "mailbox", "sender_domain", "language",
               "subject_words", "body_words", "min_customer_years", "organisation", "set_team", "set_priority",
               "add_tags", "set_level", "set_assignee"]


def _renumber() -> None:
    for n, rule in enumerate(Rule.objects.order_by("position", "id"), start=1):
        if rule.position != n:
            Rule.objects.filter(pk=rule.pk).update(position=n)


@transaction.atomic
def save_rule(*, rule: Rule | None = None, data: dict[str, Any], position: int | None = None) -> Rule:
    """Create or change a rule. Refused (ActionError) when it does nothing, or when the rule set
    would then contain rules that loop or undo each other."""
    list(Rule.objects.select_for_update().values_list("pk", flat=True))  # one editor at a time
    rule = rule or Rule(position=Rule.objects.count() + 1)
    for name in RULE_FIELDS:
        if name in data:
            setattr(rule, name, data[name])
    if position is not None:
        rule.position = position
    if not has_actions(rule):
        raise ActionError(_("Give the rule at least one action (team, priority, tags, level or assignee)."))
    others = [r for r in Rule.objects.select_related("team", "set_team") if r.pk != rule.pk]
    candidate = sorted([*others, rule], key=lambda r: (r.position, r.pk or 10**9))
    before = set(check_rules(others))
    problems = [p for p in check_rules(candidate) if p not in before]
    if problems and rule.active:
        raise ActionError(" ".join(problems))
    rule.save()
    _renumber()
    rule.refresh_from_db()
    return rule


@transaction.atomic
def delete_rule(*, rule: Rule) -> None:
    rule.delete()
    _renumber()


@transaction.atomic
def move_rule(*, rule: Rule, direction: int) -> Rule:
    """Move a rule one place up (-1) or down (+1)."""
    rules = list(Rule.objects.select_for_update().order_by("position", "id"))
    index = next(i for i, r in enumerate(rules) if r.pk == rule.pk)
    other = index + (1 if direction > 0 else -1)
    if 0 <= other < len(rules):
        rules[index], rules[other] = rules[other], rules[index]
        for n, r in enumerate(rules, start=1):
            Rule.objects.filter(pk=r.pk).update(position=n)
    rule.refresh_from_db()
    return rule


@transaction.atomic
def configure_team_routing(*, team: Team, mode: str, match_language: bool, match_skills: bool) -> TeamRouting:
    config, _created = TeamRouting.objects.select_for_update().get_or_create(team=team)
    config.mode, config.match_language, config.match_skills = mode, match_language, match_skills
    config.save()
    return config


@transaction.atomic
def set_agent_skills(*, user: User, skills: Iterable[str]) -> list[str]:
    names = sorted({" ".join(s.strip().lower().split())[:60] for s in skills} - {""})
    AgentSkill.objects.filter(user=user).exclude(name__in=names).delete()
    for name in names:
        AgentSkill.objects.get_or_create(user=user, name=name)
    return names


@transaction.atomic
def save_calendar(*, calendar: BusinessCalendarConfig | None = None, name: str, country: str,
                  subdivision: str = "", hours_text: str, timezone_name: str = "Europe/Berlin",
                  include_optional: bool = False, closed_dates: Iterable[datetime.date] = ()) -> BusinessCalendarConfig:
    """Create or change a calendar. Opening hours as text, one line per weekday or range
    ("mon-fri 08:00-18:00"); a calendar without any opening hours is refused."""
    import holidays

    try:
        hours = parse_hours(hours_text)
    except CalendarError as exc:
        raise ActionError(str(exc))
    if country not in ("DE", "DK"):
        raise ActionError(_("Choose Germany or Denmark."))
    subdivision = subdivision.strip().upper()
    if subdivision and subdivision not in holidays.country_holidays(country).subdivisions:
        raise ActionError(_("%(code)s is not a state of %(country)s.") % {"code": subdivision, "country": country})
    try:
        ZoneInfo(timezone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ActionError(_("Unknown time zone: %(tz)s") % {"tz": timezone_name})
    calendar = calendar or BusinessCalendarConfig()
    calendar.name, calendar.country, calendar.subdivision = name.strip(), country, subdivision
    calendar.timezone, calendar.include_optional = timezone_name, include_optional
    calendar.hours = {str(k): [list(span) for span in v] for k, v in hours.items()}
    calendar.closed_dates = sorted(d.isoformat() for d in closed_dates)
    if not calendar.name:
        raise ActionError(_("Give the calendar a name."))
    if BusinessCalendarConfig.objects.filter(name=calendar.name).exclude(pk=calendar.pk).exists():
        raise ActionError(_("There is already a calendar called %(name)s.") % {"name": calendar.name})
    calendar.save()
    return calendar


@transaction.atomic
def save_policy(*, policy: SLAPolicy | None = None, data: dict[str, Any]) -> SLAPolicy:
    policy = policy or SLAPolicy()
    for name in ["name", "active", "calendar", "team", "priority", "segment", "first_response_minutes",
                 "resolution_minutes", "notify_lead", "raise_priority", "raise_level"]:
        if name in data:
            setattr(policy, name, data[name])
    if not policy.first_response_minutes or not policy.resolution_minutes:
        raise ActionError(_("Both targets must be longer than zero."))
    if policy.first_response_minutes > policy.resolution_minutes:
        raise ActionError(_("The first response cannot be due after the resolution."))
    if not policy.calendar.hours:
        raise ActionError(_("The calendar %(name)s has no opening hours.") % {"name": policy.calendar})
    policy.save()
    return policy


@transaction.atomic
def update_routing_settings(*, data: dict[str, Any]) -> RoutingSettings:
    settings = RoutingSettings.load()
    for name, value in data.items():
        setattr(settings, name, value)
    if settings.repeat_threshold < 2:
        raise ActionError(_("A repeat contact needs at least two contacts."))
    if not 0 < settings.repeat_min_score <= 1:
        raise ActionError(_("The similarity must be between 0 and 1."))
    settings.save()
    return settings


@transaction.atomic
def record_review_outcome(*, ticket: Ticket, author: User, outcome: str, next_step: str = "") -> ReviewEntry:
    """The weekly second-level review's decision on a case: stored, written to the case as an
    internal note, and carried out: solved, back to first level (the level lowered, the case
    returned to the team that escalated it), or to the lead."""
    if outcome not in ReviewOutcome.values:
        raise ActionError(_("Choose an outcome."))
    next_step = next_step.strip()[:300]
    entry = ReviewEntry.objects.create(ticket=ticket, author=author, outcome=outcome, next_step=next_step,
                                       created_at=timezone.now())
    text = _("Second-level review: %(outcome)s.") % {"outcome": ReviewOutcome(outcome).label}
    if next_step:
        text += "\n" + _("Next step: %(step)s") % {"step": next_step}
    ticket_actions.add_note(ticket=ticket, author=author, text=text, meta={"review": entry.pk})
    if outcome == ReviewOutcome.SOLVED:
        ticket_actions.set_status(ticket=ticket, status=Status.SOLVED, actor=author)
    elif outcome == ReviewOutcome.BACK and ticket.level != Level.FIRST:
        ticket_actions.deescalate_ticket(ticket=ticket, level=Level.FIRST, actor=author,
                                         reason=next_step or _("Decided at the second-level review."))
    elif outcome == ReviewOutcome.LEAD and ticket.level != Level.LEAD:
        ticket_actions.escalate_ticket(ticket=ticket, level=Level.LEAD, actor=author,
                                       reason=next_step or _("Decided at the second-level review."))
    return entry
