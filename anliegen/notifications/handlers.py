"""The hooks through which the notifications app hears what happens (tickets.hooks); each
runs inside the action's transaction, so a notification exists exactly when its cause does."""

from typing import Any

from anliegen.accounts.models import User
from anliegen.notifications.actions import mark_read, notify
from anliegen.notifications.models import Kind
from anliegen.tickets.mentions import mentioned_users
from anliegen.tickets.models import Event, Message, MessageKind, Ticket


def on_ticket_changed(*, ticket: Ticket, event: Event, **kwargs: Any) -> None:
    if event.field != "assignee" or not event.after:
        return
    recipient = User.objects.filter(pk=event.after).first()
    notify(recipient=recipient, kind=Kind.ASSIGNED, key=f"assigned:{event.pk}", ticket=ticket, actor=event.actor)


def on_message_added(*, ticket: Ticket, message: Message, **kwargs: Any) -> None:
    if message.kind == MessageKind.NOTE and message.author_user_id:
        for person in mentioned_users(ticket, message.text):
            notify(recipient=person, kind=Kind.MENTION, key=f"mention:{message.pk}", ticket=ticket,
                   actor=message.author_user)
    elif message.kind == MessageKind.INBOUND and ticket.assignee_id:
        # The first message of a case is the case itself (its assignment is told separately).
        if Message.objects.filter(ticket=ticket, pk__lt=message.pk).exists():
            notify(recipient=ticket.assignee, kind=Kind.CUSTOMER_REPLY, key=f"reply:{message.pk}", ticket=ticket)


def on_ticket_viewed(*, ticket: Ticket, user: User, **kwargs: Any) -> None:
    """Opening the case reads what the person was told about it (mentions leave the list)."""
    mark_read(user=user, ticket=ticket)


def on_callback_due(*, callback: Any, ticket: Ticket, **kwargs: Any) -> None:
    """phone: a callback's reminder time has come. Its agent is told, else the case's assignee."""
    recipient = callback.agent if callback.agent_id else ticket.assignee
    notify(recipient=recipient, kind=Kind.CALLBACK_DUE, key=f"callback:{callback.pk}:{callback.due_at.isoformat()}",
           ticket=ticket, detail={"due_at": callback.due_at.isoformat()})
