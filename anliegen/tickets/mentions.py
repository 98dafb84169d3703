"""Colleagues mentioned in an internal note (`@username`): who they are and who may be
mentioned on a case. Feature apps (notifications) act on mentions through the
"message_added" hook; the note itself stays as written."""

import re

from django.db.models import Q

from anliegen.accounts.models import Role, User
from anliegen.tickets.access import visible_tickets
from anliegen.tickets.models import Ticket

# "@anna", "@k.berg", not "anna@example.org" (a mail address) and not "@@".
MENTION = re.compile(r"(?<![\w.@+-])@([\w][\w.+-]{0,149})", re.UNICODE)


def mentioned_names(text: str) -> list[str]:
    """The sign-in names written as @name, in order, each once (a trailing dot is punctuation)."""
    names = (m.group(1).rstrip(".").lower() for m in MENTION.finditer(text or ""))
    return list(dict.fromkeys(n for n in names if n))


def colleagues(ticket: Ticket, *, query: str = "", limit: int = 10) -> list[User]:
    """Active staff who may see the case: only they can be mentioned on it (a mention does not
    open a case to someone who may not read it)."""
    people = (User.objects.filter(is_active=True)
              .filter(Q(memberships__team_id=ticket.team_id) | Q(role__in=[Role.LEAD, Role.ADMIN])
                      | Q(is_superuser=True))
              .distinct().order_by("username"))
    query = query.strip().lstrip("@")
    if query:
        people = people.filter(Q(username__istartswith=query) | Q(display_name__icontains=query)
                               | Q(first_name__istartswith=query) | Q(last_name__istartswith=query))
    result = []
    for person in people[: limit * 3]:
        if visible_tickets(person).filter(pk=ticket.pk).exists():
            result.append(person)
        if len(result) == limit:
            break
    return result


def mentioned_users(ticket: Ticket, text: str) -> list[User]:
    """The colleagues a note mentions who may see its case."""
    names = mentioned_names(text)
    if not names:
        return []
    match = Q()
    for name in names[:20]:
        match |= Q(username__iexact=name)
    people = User.objects.filter(match, is_active=True)
    allowed = []
    for person in people:
        if visible_tickets(person).filter(pk=ticket.pk).exists():
            allowed.append(person)
    return sorted(allowed, key=lambda p: names.index(p.username.lower()) if p.username.lower() in names else 0)
