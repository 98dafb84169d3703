"""Who may see which case. Every read of a case by a person goes through here.

- Leads and admins see every team, confidential ones included.
- An agent sees the cases of the teams they belong to, cases assigned to them, and the cases
  their team escalated to second level (Ticket.escalated_from).
- A confidential team's cases are seen only by its members (and leads/admins).
- A customer sees only their own cases (see access_customer_ticket)."""

from collections.abc import Callable

from django.db import connections
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from anliegen.accounts.models import Team, User
from anliegen.customers.models import Customer
from anliegen.tickets.models import AccessLog, Ticket, parse_number


ReadGrant = Callable[[User], Q | None]
_read_grants: list[ReadGrant] = []


def register_read_grant(grant: ReadGrant) -> None:
    """A feature app lets some staff see cases they could not see otherwise (reception
    following a case it logged): grant(user) gives a filter on Ticket, or None."""
    if grant not in _read_grants:
        _read_grants.append(grant)


def _granted(user: User) -> Q | None:
    found = [q for q in (grant(user) for grant in _read_grants) if q is not None]
    if not found:
        return None
    combined = found[0]
    for q in found[1:]:
        combined |= q
    return combined & Q(team__confidential=False)  # a grant never opens a confidential team's case


def visible_teams(user: User) -> QuerySet[Team]:
    if user.is_lead:
        return Team.objects.all()
    return Team.objects.filter(memberships__user=user)


def visible_tickets(user: User) -> QuerySet[Ticket]:
    if not user.is_authenticated or not user.is_active:
        return Ticket.objects.none()
    if user.is_lead:
        return Ticket.objects.all()
    team_ids = member_team_ids(user)
    # Cases assigned to the agent stay visible, except a confidential team's for non-members;
    # so do the cases their team escalated to second level (they follow them).
    rule = (Q(team_id__in=team_ids) | Q(assignee=user, team__confidential=False)
            | Q(escalated_from_id__in=team_ids, team__confidential=False))
    granted = _granted(user)
    if granted is not None:
        rule |= granted
    return Ticket.objects.filter(rule)


def member_team_ids(user: User) -> list[int]:
    """The ids of the user's teams, read once per user object. A request loads its user anew,
    so within a request a view asking twice (access check, then the customer's other cases)
    costs one query, and a membership changed by an admin counts from the next request on."""
    return [team_id for team_id, _kind in _memberships(user)]


def member_team_kinds(user: User) -> set[str]:
    """The kinds of the user's teams (reception, support, ...), from the same single read."""
    return {kind for _team_id, kind in _memberships(user)}


def _memberships(user: User) -> list[tuple[int, str]]:
    cached = user.__dict__.get("_member_teams")
    if cached is None:
        cached = list(user.memberships.values_list("team_id", "team__kind"))
        user.__dict__["_member_teams"] = cached
    return cached


def can_see_team(user: User, team: Team) -> bool:
    return user.is_lead or team.pk in member_team_ids(user)


def log_access(ticket: Ticket, *, via: str, user: User | None = None, customer: Customer | None = None) -> None:
    """Record who read the case. On PostgreSQL, a read's own log row is committed without
    waiting for the disk (synchronous_commit off for this transaction only): every case view
    writes one, and the flush is most of its cost. A database crash (not an application
    crash) can lose the reads of its last fraction of a second; changes to cases are never
    written this way."""
    connection = connections[AccessLog.objects.db]
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # One statement, its own transaction: the setting is local to it and read at its commit.
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true)) "
                f"INSERT INTO {AccessLog._meta.db_table} (ticket_id, user_id, customer_id, via, at) "
                f"SELECT %s, %s, %s, %s, %s FROM relaxed",
                [ticket.pk, user.pk if user else None, customer.pk if customer else None, via, timezone.now()],
            )
        return
    AccessLog.objects.create(ticket=ticket, user=user, customer=customer, via=via, at=timezone.now())


def _lookup(number_or_pk: str | int) -> int | None:
    if isinstance(number_or_pk, int):
        return number_or_pk
    return parse_number(number_or_pk)


def access_ticket(user: User, number: str | int, *, via: str = "web", log: bool = True) -> Ticket:
    """The case if the user may see it, else Http404 (not 403: its existence stays hidden)."""
    pk = _lookup(number)
    ticket = (
        visible_tickets(user).select_related("team", "assignee", "customer", "customer__organisation")
        .filter(pk=pk).first() if pk else None
    )
    if ticket is None:
        raise Http404("No such case")
    if log:
        log_access(ticket, via=via, user=user)
    return ticket


def access_customer_ticket(customer: Customer, number: str | int, *, via: str = "portal",
                           log: bool = True) -> Ticket:
    pk = _lookup(number)
    ticket = Ticket.objects.select_related("team").filter(pk=pk, customer=customer).first() if pk else None
    if ticket is None:
        raise Http404("No such case")
    if log:
        log_access(ticket, via=via, customer=customer)
    return ticket


def visible_tickets_by_number(user: User, numbers: list[str]) -> tuple[list[Ticket], list[str]]:
    """The cases among numbers that user may see (one query, not logged: changing a case in
    bulk is not reading it), and the numbers refused: malformed, unknown or not theirs alike,
    so a refusal does not tell whether a case exists."""
    wanted: dict[int, str] = {}
    refused: list[str] = []
    for number in numbers:
        pk = parse_number(number)
        if pk is None:
            refused.append(number)
        else:
            wanted[pk] = number
    found = {t.pk: t for t in visible_tickets(user).select_related("team").filter(pk__in=list(wanted))}
    refused += [number for pk, number in wanted.items() if pk not in found]
    return [found[pk] for pk in wanted if pk in found], refused
