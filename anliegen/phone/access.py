"""Who may see which callback, customer journey and which of a caller's cases.

- A callback is seen by whoever may see its case (tickets.access.visible_tickets).
- A customer's journey is open to staff who can see at least one of the customer's cases; it
  shows only the cases they can see.
- Reception (members of a team of kind reception) may attach a call to any open case of the
  caller except a confidential team's: the picker shows number, subject, team and status, not
  the conversation. Everyone else picks among the caller's open cases they can see.
- Reception follows what it did: a member of reception sees the cases it took a call on and
  those it booked a callback on for settings.RECEPTION_FOLLOW_DAYS (read_grant_for_calls,
  registered in apps.py), never a confidential team's; reading, not changing them.
- The caller lookup names the caller (name, organisation, address) only to staff who may see
  that customer, the same rule as the API's (tickets.access.visible_customers); to others it
  says that the number is known, so the call goes to the right customer without showing who."""

import datetime

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from anliegen.accounts.models import User
from anliegen.customers.models import Customer
from anliegen.phone.models import Callback
from anliegen.tickets import permissions
from anliegen.tickets.access import access_customer as access_visible_customer
from anliegen.tickets.access import changeable_tickets, visible_tickets
from anliegen.tickets.models import ACTIVE_STATUSES, Channel, Message, Ticket


def follow_since() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=settings.RECEPTION_FOLLOW_DAYS)


def logged_calls(user: User) -> QuerySet[Message]:
    """The calls this person took in the follow period (the call note on the phone channel)."""
    return Message.objects.filter(channel=Channel.PHONE, created_at__gte=follow_since()).filter(
        Q(author_user=user) | Q(meta__call__taken_by=user.pk))


def booked_callbacks(user: User) -> QuerySet[Callback]:
    return Callback.objects.filter(created_by=user, created_at__gte=follow_since())


def read_grant_for_calls(user: User) -> Q | None:
    """For tickets.access.register_read_grant: reception's recent calls and callbacks."""
    if not user.is_authenticated or not is_reception(user):
        return None
    return Q(pk__in=logged_calls(user).values("ticket_id")) | Q(pk__in=booked_callbacks(user).values("ticket_id"))


def visible_callbacks(user: User) -> QuerySet[Callback]:
    return Callback.objects.filter(ticket__in=visible_tickets(user))


def access_callback(user: User, pk: int | str, *, write: bool = False) -> Callback:
    """The callback if the user may see its case (write=True: change it), else Http404."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such callback")
    rows = Callback.objects.filter(ticket__in=changeable_tickets(user)) if write else visible_callbacks(user)
    callback = (
        rows.select_related("ticket", "ticket__customer", "team", "agent").filter(pk=key).first()
    )
    if callback is None:
        raise Http404("No such callback")
    return callback


def is_reception(user: User) -> bool:
    """A member of a reception team (read once per user object, i.e. once per request)."""
    return permissions.is_reception(user)


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
    customer = access_visible_customer(user, pk)
    return customer, visible_tickets(user).filter(customer=customer)
