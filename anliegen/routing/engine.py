"""Applying routing rules to a new case, through tickets.actions (actor_label "routing").

Rules run in order of position. A rule that moves the case to another team restarts the
evaluation so rules about that team see it; each rule applies at most once per case, a team is
never entered twice, and there are at most MAX_ROUNDS restarts — no rule set can loop."""

import logging
from email.utils import parseaddr

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from anliegen.accounts.models import Team
from anliegen.lib import readcache
from anliegen.routing.models import Rule
from anliegen.routing.rules import CaseFacts, RuleResult, evaluate, split_list, years_between
from anliegen.tickets import actions
from anliegen.tickets.models import LEVEL_ORDER, Level, Message, MessageKind, Ticket

log = logging.getLogger(__name__)
MAX_ROUNDS = 5
ROUTING = "routing"


def active_rules() -> list[Rule]:
    """The active rules in order (read once per mail or batch while mail is stored)."""
    return readcache.cached("routing.rules", lambda: list(_rules().filter(active=True)))


def _rules() -> QuerySet[Rule]:
    return Rule.objects.select_related("team", "organisation", "set_team", "set_assignee")


def first_message(ticket: Ticket) -> Message | None:
    return Message.objects.filter(ticket=ticket).exclude(kind=MessageKind.REPLY).order_by("created_at", "id").first()


def facts_for(ticket: Ticket, message: Message | None = None) -> CaseFacts:
    message = message or first_message(ticket)
    meta = (message.meta if message else {}) or {}
    mailbox = str(meta.get("mailbox") or "")
    if not mailbox and meta.get("to"):
        to = meta["to"]
        mailbox = parseaddr(to[0] if isinstance(to, list) and to else str(to))[1]
    address = parseaddr(message.sender)[1] if message and message.sender else ""
    if "@" not in address:
        address = ticket.customer.primary_email if ticket.customer_id else ""
    customer = ticket.customer
    organisation = customer.organisation if customer.organisation_id else None
    team = Team.objects.filter(pk=ticket.team_id).first()
    return CaseFacts(
        channel=ticket.channel, team_id=ticket.team_id, team_name=str(team or ""), mailbox=mailbox.lower(),
        sender_domain=address.rpartition("@")[2].lower(), language=ticket.language or (message.language if message else ""),
        subject=ticket.subject, body=message.text if message else "",
        customer_years=years_between(customer.customer_since, timezone.localdate()),
        organisation_id=customer.organisation_id, organisation_name=str(organisation or ""),
        tags=list(ticket.tags.values_list("name", flat=True)),
    )


def dry_run(ticket: Ticket) -> tuple[list[RuleResult], Rule | None]:
    """Every rule evaluated against the case as it arrived (no writes): the results and the first
    rule that would apply."""
    message = first_message(ticket)
    facts = facts_for(ticket, message)
    # Judge by the team the case arrived at, not where it is now.
    created = ticket.events.filter(kind="created").order_by("id").first()
    arrival = (created.after or {}).get("team") if created and isinstance(created.after, dict) else None
    if arrival and arrival != facts.team_id:
        facts.team_id = arrival
        facts.team_name = str(Team.objects.filter(pk=arrival).first() or "")
    results = [evaluate(rule, facts) for rule in _rules().filter(active=True)]
    first = next((r.rule for r in results if r.matched), None)
    return results, first


def apply_rules(ticket: Ticket, message: Message | None = None) -> list[Rule]:
    """Apply the active rules to a case; return the rules that applied."""
    rules = active_rules()
    if not rules:
        return []  # nothing to evaluate: the case's facts are not needed
    applied: list[Rule] = []
    visited = {ticket.team_id}
    problems: list[str] = []
    for _round in range(MAX_ROUNDS):
        restart = False
        facts = facts_for(ticket, message)
        for rule in rules:
            if rule in applied or not evaluate(rule, facts).matched:
                continue
            applied.append(rule)
            if rule.set_team_id and rule.set_team_id != ticket.team_id and rule.set_team_id in visited:
                problems.append(_("Rule %(pos)s “%(name)s” would move the case back to %(team)s; routing stopped "
                                  "there to avoid a loop.") % {"pos": rule.position, "name": rule.name,
                                                              "team": rule.set_team})
                _note(ticket, problems)
                return applied
            moved = _apply(rule, ticket, problems)
            facts = facts_for(ticket, message)  # the rule may have changed tags, team, ...
            if rule.stop_processing:
                _note(ticket, problems)
                return applied
            if moved:
                visited.add(ticket.team_id)
                restart = True
                break
        if not restart:
            break
    _note(ticket, problems)
    return applied


def _note(ticket: Ticket, problems: list[str]) -> None:
    if problems:
        actions.add_note(ticket=ticket, author=None, actor_label=ROUTING, text="\n".join(problems),
                         meta={"routing": "problems"})


def _apply(rule: Rule, ticket: Ticket, problems: list[str]) -> bool:
    """Carry out one rule's actions; True if it moved the case to another team."""
    reason = _("Routing rule %(pos)s: %(name)s") % {"pos": rule.position, "name": rule.name}
    moved = False
    try:
        if rule.set_level and LEVEL_ORDER.index(Level(rule.set_level)) > LEVEL_ORDER.index(Level(ticket.level)):
            actions.escalate_ticket(ticket=ticket, level=rule.set_level, reason=reason, actor=None,
                                    actor_label=ROUTING)
        if rule.set_team_id and rule.set_team_id != ticket.team_id:
            actions.move_to_team(ticket=ticket, team=rule.set_team, actor=None, actor_label=ROUTING, reason=reason)
            moved = True
        if rule.set_priority and rule.set_priority != ticket.priority:
            actions.set_priority(ticket=ticket, priority=rule.set_priority, actor=None, actor_label=ROUTING,
                                 reason=reason)
        if rule.add_tags.strip():
            actions.tag_ticket(ticket=ticket, add=split_list(rule.add_tags), actor=None, actor_label=ROUTING)
        if rule.set_assignee_id:
            actions.assign_ticket(ticket=ticket, assignee=rule.set_assignee, actor=None, actor_label=ROUTING,
                                  reason=reason)
    except actions.ActionError as exc:
        problems.append(_("Rule %(pos)s “%(name)s” could not be applied in full: %(error)s")
                        % {"pos": rule.position, "name": rule.name, "error": exc})
    return moved
