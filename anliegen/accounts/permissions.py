"""Roles and teams: who is a lead, an admin, reception, second level, and whose queues a
person may open. The rules about cases build on these in tickets.permissions, which is the
module views, the API and actions ask (it repeats these names); this part lives here so that
accounts' own pages use it without importing tickets.

Roles:
- an agent works the cases of their teams and the cases assigned to them;
- a lead (head of service) also sees and changes every team's cases except a confidential
  team's, and opens the management pages (routing, standard replies, the lead's view);
- an admin is a lead who also opens the administration pages (mailboxes, quarantine).

A confidential team's queue and cases are for its members only, leads and admins included
unless they are members; leads see how many cases it has (can_count_team), not which.

role_required guards a whole view. Refused, it answers 403 with Anliegen's page saying who
may open it: these pages are in the navigation of those who may, their existence is no
secret. (A case, queue or customer one may not see answers 404 instead, see tickets.access.)

Every check here reads only the user object (team ids and kinds are read once per user
object, that is, once per request), so asking it costs no query of its own."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from anliegen.accounts.models import Team, TeamKind, User

# --- Roles ------------------------------------------------------------------------------------


def is_staff(user: User) -> bool:
    """A signed-in, active member of staff (customers are not users)."""
    return bool(user.is_authenticated and user.is_active)


def is_lead(user: User) -> bool:
    return is_staff(user) and user.is_lead


def is_admin(user: User) -> bool:
    return is_staff(user) and user.is_admin


def _memberships(user: User) -> list[tuple[int, str]]:
    """(team id, team kind) of the user's teams, read once per user object. A request loads
    its user anew, so within a request asking twice costs one query, and a membership changed
    by an admin counts from the next request on."""
    if not is_staff(user):
        return []
    cached = user.__dict__.get("_member_teams")
    if cached is None:
        cached = list(user.memberships.values_list("team_id", "team__kind"))
        user.__dict__["_member_teams"] = cached
    return list(cached)


def member_team_ids(user: User) -> list[int]:
    return [team_id for team_id, _kind in _memberships(user)]


def member_team_kinds(user: User) -> set[str]:
    """The kinds of the user's teams (reception, support, ...), from the same single read."""
    return {kind for _id, kind in _memberships(user)}


def is_member(user: User, team: Team | int) -> bool:
    team_id = team if isinstance(team, int) else team.pk
    return team_id in member_team_ids(user)


def is_reception(user: User) -> bool:
    return any(kind == TeamKind.RECEPTION for _id, kind in _memberships(user))


def is_second_level(user: User) -> bool:
    return any(kind == TeamKind.SECOND_LEVEL for _id, kind in _memberships(user))


def can_review_second_level(user: User) -> bool:
    """The weekly second-level review: second-level agents and leads."""
    return is_lead(user) or is_second_level(user)


def can_manage(user: User) -> bool:
    """Change routing, standard replies, macros, team signatures; open the lead's view."""
    return is_lead(user)


def can_administer(user: User) -> bool:
    """Mailboxes, the mail quarantine and the other administration pages."""
    return is_admin(user)


# --- Teams ------------------------------------------------------------------------------------


def can_see_confidential(user: User, team: Team) -> bool:
    """A confidential team's cases are for its members only (leads and admins included)."""
    return is_member(user, team)


def can_see_team(user: User, team: Team) -> bool:
    """Open the team's queue and read its cases."""
    if team.confidential:
        return can_see_confidential(user, team)
    return is_member(user, team) or is_lead(user)


def can_count_team(user: User, team: Team) -> bool:
    """See how many cases the team has (workload), without any case's content."""
    return can_see_team(user, team) or is_lead(user)


def can_hand_to_team(user: User, team: Team) -> bool:
    """Open a case in a team or move one there: the teams one sees; a lead any team, a
    confidential one too (whose case they then no longer see)."""
    return can_see_team(user, team) or is_lead(user)


def handover_team_filter(user: User) -> Q:
    """can_hand_to_team as a filter on Team."""
    return Q() if is_lead(user) else visible_team_filter(user)


def visible_team_filter(user: User) -> Q:
    """can_see_team as a filter on Team."""
    if not is_staff(user):
        return Q(pk__in=[])
    members = Q(pk__in=member_team_ids(user))
    return members | Q(confidential=False) if is_lead(user) else members


# --- The decorator ------------------------------------------------------------------------------

ROLES: dict[str, tuple[Callable[[User], bool], Callable[[], str]]] = {
    "lead": (can_manage, lambda: _("This page is for team leads and administrators.")),
    "admin": (can_administer, lambda: _("This page is for administrators.")),
    "second_level": (can_review_second_level, lambda: _("This page is for second level and team leads.")),
}


def has_role(user: User, role: str) -> bool:
    return ROLES[role][0](user)


def role_required(role: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Only signed-in staff with this role ("lead", "admin", "second_level") open the view;
    anyone else signed in gets 403 with Anliegen's page, anonymous visitors the sign-in page."""
    check, message = ROLES[role]  # an unknown role fails at import, not at the first request

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not check(request.user):
                raise PermissionDenied(message())
            return view(request, *args, **kwargs)

        wrapped.required_role = role  # type: ignore[attr-defined]  # read by the permission matrix
        return wrapped

    return decorator
