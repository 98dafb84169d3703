"""Who may see which case, as queries, and the permission-checked fetch of one case. Every
read of a case by a person goes through here; the rules themselves are the predicates in
tickets.permissions.

- "May change" (changeable_tickets, access_ticket(write=True)): a member of the case's team,
  the agent it is assigned to, a lead; a confidential team's cases only its members.
- "May see" (visible_tickets, access_ticket()): whoever may change the case, and whoever a
  feature app grants read-only access (register_read_grant: reception following a case it
  logged, a product owner consulted on a complaint). A grant never opens a confidential
  team's case to a non-member.
- A customer sees only their own cases (access_customer_ticket).
- A customer (name, addresses, journey) is visible to staff who may see at least one of the
  customer's cases (visible_customers): the API, the caller lookup and the journey alike.
- The team that escalated a case to second level follows it (Ticket.escalated_from): its
  members may see it, not change it; never a confidential team's.

A case, queue or customer the user may not see answers 404, as one that does not exist.
Every read is logged (log_access): the case page, the API, the portal, attachment downloads,
and the case's side panels (read_token: a panel loaded from a logged case page adds no row)."""

from collections.abc import Callable

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import connections
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from anliegen.accounts.models import Team, User
from anliegen.customers.models import Customer
from anliegen.tickets import permissions
from anliegen.tickets.models import AccessLog, Ticket, parse_number
from anliegen.tickets.permissions import can_see_team, member_team_ids, member_team_kinds  # noqa: F401 (callers import them here)

ReadGrant = Callable[[User], Q | None]
_read_grants: list[ReadGrant] = []
READ_TOKEN_SECONDS = 15 * 60


def register_read_grant(grant: ReadGrant) -> None:
    """A feature app lets some staff read (never change) cases they could not see otherwise:
    grant(user) gives a filter on Ticket for that user, or None if it grants them nothing."""
    if grant not in _read_grants:
        _read_grants.append(grant)


def _granted(user: User) -> Q | None:
    found = [q for q in (grant(user) for grant in _read_grants) if q is not None]
    if not found:
        return None
    combined = found[0]
    for q in found[1:]:
        combined |= q
    return combined & Q(team__confidential=False)


def visible_teams(user: User) -> QuerySet[Team]:
    """The teams whose queues the user may open (permissions.can_see_team)."""
    return Team.objects.filter(permissions.visible_team_filter(user))


def changeable_tickets(user: User) -> QuerySet[Ticket]:
    if not permissions.is_staff(user):
        return Ticket.objects.none()
    return Ticket.objects.filter(permissions.change_filter(user))


def visible_tickets(user: User) -> QuerySet[Ticket]:
    if not permissions.is_staff(user):
        return Ticket.objects.none()
    rule = permissions.change_filter(user)
    if not permissions.is_lead(user):  # a lead sees these cases anyway
        rule |= Q(escalated_from_id__in=permissions.member_team_ids(user), team__confidential=False)
    granted = _granted(user)
    if granted is not None:  # only for the few a grant applies to: the plain rule keeps its indexes
        rule |= granted
    return Ticket.objects.filter(rule)


def visible_customers(user: User) -> QuerySet[Customer]:
    """Customers with at least one case the user may see."""
    if not permissions.is_staff(user):
        return Customer.objects.none()
    return Customer.objects.filter(pk__in=visible_tickets(user).values("customer_id"))


def can_see_customer(user: User, customer: Customer | int) -> bool:
    customer_id = customer if isinstance(customer, int) else customer.pk
    return visible_tickets(user).filter(customer_id=customer_id).exists()


def access_customer(user: User, customer_id: int | str) -> Customer:
    """The customer if the user may see them, else Http404 (their existence stays hidden)."""
    try:
        key = int(customer_id)
    except (TypeError, ValueError):
        raise Http404("No such customer")
    customer = Customer.objects.select_related("organisation").filter(pk=key).first() if 0 < key < 2**63 else None
    if customer is None or not can_see_customer(user, customer):
        raise Http404("No such customer")
    return customer


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


def read_token(user: User, ticket: Ticket) -> str:
    """Given by a case page whose read was logged to the side panels it loads: a panel that
    shows it is part of that read and writes no log row of its own (signed, short-lived)."""
    return signing.TimestampSigner(salt="anliegen.tickets.read").sign(f"{user.pk}.{ticket.pk}")


def _covered_by(token: str, user: User, ticket: Ticket) -> bool:
    if not token:
        return False
    try:
        value = signing.TimestampSigner(salt="anliegen.tickets.read").unsign(token, max_age=READ_TOKEN_SECONDS)
    except signing.BadSignature:
        return False
    return value == f"{user.pk}.{ticket.pk}"


def access_panel_ticket(request: HttpRequest, number: str) -> Ticket:
    """The case for a side panel of the case view. Its GET is a read, logged unless the case
    page that loaded it already logged this read (the `read` token on the panel's URL); any
    other method is a write, for those who may change the case."""
    if request.method not in ("GET", "HEAD"):
        return access_ticket(request.user, number, write=True)
    return access_ticket(request.user, number, via="panel", token=request.GET.get("read", ""))


def _lookup(number_or_pk: str | int) -> int | None:
    pk = number_or_pk if isinstance(number_or_pk, int) else parse_number(number_or_pk)
    return pk if pk is not None and 0 < pk < 2**63 else None  # a larger one is no row, not an SQL error


def access_ticket(user: User, number: str | int, *, write: bool = False, via: str = "web",
                  log: bool | None = None, token: str = "") -> Ticket:
    """The case if the user may see it (write=True: may change it), else Http404 (not 403:
    its existence stays hidden); PermissionDenied if they may see it but want to change it. A read is logged unless token shows it is part of a read
    already logged (read_token); a write is not (the change itself is in the history)."""
    pk = _lookup(number)
    tickets = changeable_tickets(user) if write else visible_tickets(user)
    ticket = (
        tickets.select_related("team", "assignee", "customer", "customer__organisation").filter(pk=pk).first()
        if pk else None
    )
    if ticket is None:
        if write and pk and visible_tickets(user).filter(pk=pk).exists():
            # They may read it, so its existence is no secret: say why they cannot change it.
            raise PermissionDenied(_("You may read this case but not change it."))
        raise Http404("No such case")
    if log if log is not None else not write:
        if not _covered_by(token, user, ticket):
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


def changeable_tickets_by_number(user: User, numbers: list[str]) -> tuple[list[Ticket], list[str]]:
    """The cases among numbers that user may change (one query, not logged: changing a case in
    bulk is not reading it), and the numbers refused: malformed, unknown or not theirs alike,
    so a refusal does not tell whether a case exists."""
    wanted: dict[int, str] = {}
    refused: list[str] = []
    for number in numbers:
        pk = _lookup(number)
        if pk is None:
            refused.append(number)
        else:
            wanted[pk] = number
    found = {t.pk: t for t in changeable_tickets(user).select_related("team").filter(pk__in=list(wanted))}
    refused += [number for pk, number in wanted.items() if pk not in found]
    return [found[pk] for pk in wanted if pk in found], refused

