"""Writes to the notifications app's tables: telling someone, marking read, preferences.
Called from the hooks (handlers.py), the periodic SLA check, the views and the API."""

import datetime
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from anliegen.accounts.models import User
from anliegen.notifications.models import Kind, Notification, Preference, describe
from anliegen.tickets.access import visible_tickets
from anliegen.tickets.models import Ticket


def _now() -> datetime.datetime:
    return timezone.now()


def wants(user: User, kind: str) -> tuple[bool, bool]:
    """(in the app, by mail) for one person and one kind; without a choice: in the app only."""
    row = Preference.objects.filter(user=user, kind=kind).values_list("in_app", "by_mail").first()
    return row if row is not None else (True, False)


def notify(*, recipient: User | None, kind: str, key: str, ticket: Ticket | None = None,
           actor: User | None = None, detail: Mapping[str, object] | None = None) -> Notification | None:
    """Tell one person once. Nobody is told of what they did themselves, of a case they may not
    see, or of a kind they switched off; the same key never makes a second notification
    (two workers, a retried hook, a repeated event)."""
    if recipient is None or not recipient.is_active or kind not in Kind.values:
        return None
    if actor is not None and actor.pk == recipient.pk:
        return None
    in_app, by_mail = wants(recipient, kind)
    if not in_app and not by_mail:
        return None
    if ticket is not None and not visible_tickets(recipient).filter(pk=ticket.pk).exists():
        return None
    by_mail = by_mail and bool(recipient.email)
    if not in_app and not by_mail:
        return None
    try:
        with transaction.atomic():  # a savepoint: a duplicate leaves the caller's transaction intact
            row = Notification.objects.create(
                recipient=recipient, kind=kind, key=key[:200], ticket=ticket, actor=actor, detail=dict(detail or {}),
                created_at=_now(), in_app=in_app, by_mail=by_mail, read_at=None if in_app else _now())
    except IntegrityError:
        return None
    if by_mail:
        _queue_mail(row)
    return row


def _queue_mail(row: Notification) -> None:
    """The notification by mail, through the outbox (same transaction: no mail without it, and
    a notification is created once, so it is mailed once), in the recipient's language."""
    from anliegen.mail.models import OutboxKind
    from anliegen.mail.outbound import queue_mail

    recipient = row.recipient
    with translation.override(recipient.ui_language or settings.LANGUAGE_CODE):
        line = describe(row)
        lines = [line, ""]
        subject = line
        if row.ticket is not None:
            subject = f"[{row.ticket.number}] {line}"
            lines += [f"{row.ticket.number} · {row.ticket.subject}",
                      settings.SITE_URL + reverse("tickets:case", args=[row.ticket.number]), ""]
        lines += [_("You get this mail because you chose it. Change what you are told by mail:"),
                  settings.SITE_URL + reverse("notifications:preferences")]
    # Not filed with the case: the case's outgoing-mail panel lists what went to the customer.
    queue_mail(kind=OutboxKind.NOTIFICATION, to=recipient.email, subject=subject, text="\n".join(lines))
    Notification.objects.filter(pk=row.pk).update(mailed_at=_now())


@transaction.atomic
def mark_read(*, user: User, ids: Iterable[int] | None = None, ticket: Ticket | None = None,
              kinds: Iterable[str] | None = None) -> int:
    """Mark the user's unread notifications read: these ids, or those about one case, or all."""
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    if ticket is not None:
        rows = rows.filter(ticket=ticket)
    if kinds is not None:
        rows = rows.filter(kind__in=list(kinds))
    return rows.update(read_at=_now())


@transaction.atomic
def set_preferences(*, user: User, choices: Mapping[str, tuple[bool, bool]]) -> None:
    """choices: kind → (in the app, by mail). Unknown kinds are ignored."""
    for kind, (in_app, by_mail) in choices.items():
        if kind in Kind.values:
            Preference.objects.update_or_create(user=user, kind=kind,
                                                defaults={"in_app": in_app, "by_mail": by_mail})
