"""Whose notifications are whose: a person sees only their own, and only about cases they
may still see (a case moved to a team they left drops out of the list)."""

from django.db.models import Q, QuerySet
from django.http import Http404

from anliegen.accounts.models import User
from anliegen.notifications.models import Kind, Notification
from anliegen.tickets.access import visible_tickets


def visible_notifications(user: User) -> QuerySet[Notification]:
    return (Notification.objects.filter(recipient=user, in_app=True)
            .filter(Q(ticket__isnull=True) | Q(ticket__in=visible_tickets(user))))


def unread_count(user: User) -> int:
    return visible_notifications(user).filter(read_at__isnull=True).count()


def mentioned_tickets(user: User) -> QuerySet[Notification]:
    """Unread mentions: the case stays in the "Mentioned" list until the person opens it."""
    return (visible_notifications(user).filter(kind=Kind.MENTION, read_at__isnull=True)
            .select_related("ticket", "ticket__team", "ticket__customer", "actor"))


def access_notification(user: User, pk: int | str) -> Notification:
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such notification")
    row = visible_notifications(user).filter(pk=key).first()
    if row is None:
        raise Http404("No such notification")
    return row
