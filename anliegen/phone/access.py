"""Who may see which callback, customer journey and which of a caller's cases.

- A callback is seen by whoever may see its case (tickets.access.visible_tickets).
- A customer's journey is open to staff who can see at least one of the customer's cases; it
  shows only the cases they can see.
- Reception (members of a team of kind reception) may attach a call to any open case of the
  caller except a confidential team's: the picker shows number, subject, team and status, not
  the conversation. Everyone else picks among the caller's open cases they can see."""

from django.db.models import Q, QuerySet
from django.http import Http404

from anliegen.accounts.models import TeamKind, User
from anliegen.customers.models import Customer
from anliegen.phone.models import Callback
from anliegen.tickets.access import visible_tickets
from anliegen.tickets.models import ACTIVE_STATUSES, Ticket


def visible_callbacks(user: User) -> QuerySet[Callback]:
    return Callback.objects.filter(ticket__in=visible_tickets(user))


def access_callback(user: User, pk: int | str) -> Callback:
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such callback")
    callback = (
        visible_callbacks(user).select_related("ticket", "ticket__customer", "team", "agent").filter(pk=key).first()
    )
    if callback is None:
        raise Http404("No such callback")
    return callback


def is_reception(user: User) -> bool:
    return user.memberships.filter(team__kind=TeamKind.RECEPTION).exists()


def callable_cases(user: User, customer: Customer) -> QuerySet[Ticket]:
    """The caller's open cases a call may be attached to by this user."""
    mine = Q(pk__in=visible_tickets(user).values("pk"))
    if is_reception(user):
        mine |= Q(team__confidential=False)
    return (
        Ticket.objects.filter(mine, customer=customer, status__in=ACTIVE_STATUSES, merged_into__isnull=True)
        .select_related("team").order_by("-last_activity_at", "-id")
    )


def access_customer(user: User, pk: int | str) -> tuple[Customer, QuerySet[Ticket]]:
    """The customer and the cases of theirs this user may see; 404 if none (the customer's
    existence stays hidden from staff who have nothing to do with them)."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such customer")
    customer = Customer.objects.filter(pk=key).select_related("organisation").first()
    if customer is None:
        raise Http404("No such customer")
    cases = visible_tickets(user).filter(customer=customer)
    if not cases.exists():
        raise Http404("No such customer")
    return customer, cases
