"""Who may do what with a case: every permission rule of Anliegen, each a small predicate.

Views, the API and actions ask these; none writes a role or team check of its own. The role
and team rules (lead, admin, reception, whose queues one opens, confidential teams) are in
accounts.permissions and repeated here, so this is the one module to import. Which cases a
person may see or change as a query (for lists) is tickets.access, built on the same rules.

- Change a case (reply, note, fields, tags, merge, escalate, callbacks): a member of its
  team, the agent it is assigned to, a lead; a confidential team's case only its members.
- See a case: whoever may change it, and whoever a feature app grants read-only access
  (tickets.access.register_read_grant), never a confidential team's case.
- Segregation of duties (who assessed a refund may not execute it) is can_act_after.

Each predicate reads only the user object and the case's team, so asking costs no query."""

from collections.abc import Iterable

from django.db.models import Q

from anliegen.accounts.models import Team, User
from anliegen.accounts.permissions import (  # noqa: F401 (one module to import)
    ROLES,
    can_administer,
    can_hand_to_team,
    can_count_team,
    can_manage,
    can_review_second_level,
    can_see_confidential,
    can_see_team,
    handover_team_filter,
    has_role,
    is_admin,
    is_lead,
    is_member,
    is_reception,
    is_second_level,
    is_staff,
    member_team_ids,
    member_team_kinds,
    role_required,
    visible_team_filter,
)
from anliegen.tickets.models import Ticket


def can_change_ticket(user: User, ticket: Ticket) -> bool:
    if not is_staff(user):
        return False
    if ticket.team.confidential:
        return can_see_confidential(user, ticket.team)
    return can_see_team(user, ticket.team) or ticket.assignee_id == user.pk


def change_filter(user: User) -> Q:
    """can_change_ticket as a filter on Ticket."""
    if not is_staff(user):
        return Q(pk__in=[])
    team_ids = member_team_ids(user)
    if is_lead(user):
        return Q(team_id__in=team_ids) | Q(team__confidential=False)
    # Cases assigned to the agent stay theirs, except a confidential team's for non-members.
    return Q(team_id__in=team_ids) | Q(assignee=user, team__confidential=False)


def can_be_assigned(user: User, team: Team) -> bool:
    """Whom a case of the team may be given to (assigning hands them the case): an active
    member of the team; a lead, unless the team is confidential."""
    if not is_staff(user):
        return False
    if team.confidential:
        return can_see_confidential(user, team)
    return is_member(user, team) or is_lead(user)


def can_assign(actor: User, ticket: Ticket, assignee: User | None) -> bool:
    """Assign (or unassign) a case: whoever may change it, to someone who may be assigned it."""
    return can_change_ticket(actor, ticket) and (assignee is None or can_be_assigned(assignee, ticket.team))


def can_move_ticket(actor: User, ticket: Ticket, team: Team) -> bool:
    """Hand a case to another team: whoever may change it, to a team they may hand cases to."""
    return can_change_ticket(actor, ticket) and can_hand_to_team(actor, team)


def can_merge(actor: User, source: Ticket, target: Ticket) -> bool:
    """Merge one case into another: whoever may change both."""
    return can_change_ticket(actor, source) and can_change_ticket(actor, target)


def can_escalate(actor: User, ticket: Ticket) -> bool:
    """Raise a case's level (first → second → lead): whoever may change it."""
    return can_change_ticket(actor, ticket)


def can_act_after(actor: User, *, earlier: Iterable[User | int | None]) -> bool:
    """Segregation of duties: the actor did none of the earlier steps. For example, who
    assessed a refund may not execute it: can_act_after(user, earlier=[assessment.assessed_by])."""
    earlier_ids = {e if isinstance(e, int) else e.pk for e in earlier if e is not None}
    return is_staff(actor) and actor.pk not in earlier_ids
