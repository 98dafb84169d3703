"""Who else has a case open or is typing a reply in it: the collision notice.

The case view posts a heartbeat every few seconds and a typing signal while the reply box
changes (actions.note_presence); a heartbeat older than PRESENCE_SECONDS counts as gone."""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from anliegen.accounts.models import User
from anliegen.tickets.models import Message, MessageKind, Presence, Ticket

# What the customer reads or wrote: a newer one of these makes an agent's draft reply out of date.
_CONVERSATION = [MessageKind.INBOUND, MessageKind.REPLY]

PRESENCE_SECONDS = 15
# How often the case view sends its heartbeat (kept well below PRESENCE_SECONDS).
HEARTBEAT_SECONDS = 4


@dataclass(frozen=True)
class Notice:
    user: User
    typing: bool

    @property
    def text(self) -> str:
        if self.typing:
            return _("%(name)s is typing a reply") % {"name": self.user}
        return _("%(name)s is viewing this case") % {"name": self.user}


def others_here(ticket: Ticket, user: User, now: datetime.datetime | None = None) -> list[Notice]:
    """Everyone but user with a recent heartbeat on the case; typists first."""
    since = (now or timezone.now()) - datetime.timedelta(seconds=PRESENCE_SECONDS)
    rows = (
        Presence.objects.filter(ticket=ticket, seen_at__gte=since).exclude(user=user)
        .select_related("user").order_by("user__username")
    )
    notices = [Notice(user=p.user, typing=p.typing_at is not None and p.typing_at >= since) for p in rows]
    return sorted(notices, key=lambda n: not n.typing)


def newest_seen(ticket: Ticket) -> int:
    """The id of the case's newest customer message or reply (0 if none): what an agent who
    opens the reply box now has seen."""
    return (Message.objects.filter(ticket=ticket, kind__in=_CONVERSATION).order_by("-id")
            .values_list("id", flat=True).first() or 0)


def newer_messages(ticket: Ticket, user: User, seen: int) -> list[Message]:
    """Customer messages and other people's replies that arrived after message `seen`: the
    collision after the fact, shown to an agent before their reply goes out."""
    return list(
        Message.objects.filter(ticket=ticket, kind__in=_CONVERSATION, id__gt=seen)
        .exclude(kind=MessageKind.REPLY, author_user=user)
        .select_related("author_user", "author_customer").order_by("id")[:10]
    )
