"""Fill the variables of a standard reply: a tiny substitution, never a template engine.

Staff write replies; customers' data (names, subjects) flow into them. Running either through
Django's template engine would let `{% ... %}` or attribute lookups execute, so this module
only replaces `{{ name }}` for the names in VARIABLES, each computed by a plain function.
Anything else between braces is left exactly as written and reported as unknown.

The result is plain text for the reply box; HTML templates escape it when they show it.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anliegen.accounts.models import Team, User
from anliegen.customers.models import Customer
from anliegen.tickets.models import Priority, Status, Ticket

PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")

MONTHS = {
    "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
           "November", "Dezember"],
    "da": ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
           "november", "december"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"],
}
STATUS_NAMES = {
    "de": {"new": "neu", "open": "offen", "pending": "wartend", "solved": "gelöst", "closed": "geschlossen"},
    "da": {"new": "ny", "open": "åben", "pending": "afventer", "solved": "løst", "closed": "lukket"},
    "en": {"new": "new", "open": "open", "pending": "pending", "solved": "solved", "closed": "closed"},
}
PRIORITY_NAMES = {
    "de": {1: "niedrig", 2: "normal", 3: "hoch", 4: "dringend"},
    "da": {1: "lav", 2: "normal", 3: "høj", 4: "haster"},
    "en": {1: "low", 2: "normal", 3: "high", 4: "urgent"},
}


def format_date(value: datetime.date | datetime.datetime | None, language: str) -> str:
    """A date as the customer reads it: 24. November 2026 / 24. november 2026 / 24 November 2026."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    months = MONTHS.get(language, MONTHS["en"])
    separator = " " if language == "en" else ". "
    return f"{value.day}{separator}{months[value.month - 1]} {value.year}"


@dataclass
class Context:
    """What a reply may refer to. Every part is optional (the editor's preview has no case)."""

    language: str = "de"
    customer: Customer | None = None
    ticket: Ticket | None = None
    agent: User | None = None
    team: Team | None = None
    today: datetime.date = field(default_factory=lambda: timezone.localdate())


def _first_name(name: str) -> str:
    return name.split()[0] if name.split() else ""


def _last_name(name: str) -> str:
    return name.split()[-1] if len(name.split()) > 1 else ""


def _customer(attr: Callable[[Customer], str]) -> Callable[[Context], str]:
    return lambda c: attr(c.customer) if c.customer else ""


def _case(attr: Callable[[Ticket], str]) -> Callable[[Context], str]:
    return lambda c: attr(c.ticket) if c.ticket else ""


def _agent(attr: Callable[[User], str]) -> Callable[[Context], str]:
    return lambda c: attr(c.agent) if c.agent else ""


def _team(c: Context) -> Team | None:
    return c.team or (c.ticket.team if c.ticket else None)


def _in_days(days: int) -> Callable[[Context], str]:
    return lambda c: format_date(c.today + datetime.timedelta(days=days), c.language)


# name → (description for the editor, function). The only names a reply can use.
VARIABLES: dict[str, tuple[str, Callable[[Context], str]]] = {
    "customer.name": (_("customer's full name"), _customer(lambda x: x.name)),
    "customer.first_name": (_("customer's first name"), _customer(lambda x: _first_name(x.name))),
    "customer.last_name": (_("customer's last name"), _customer(lambda x: _last_name(x.name))),
    "customer.email": (_("customer's e-mail address"), _customer(lambda x: x.primary_email)),
    "customer.organisation": (_("customer's organisation"),
                              _customer(lambda x: x.organisation.name if x.organisation else "")),
    "customer.since": (_("customer since (date)"), lambda c: format_date(c.customer.customer_since, c.language)
                       if c.customer else ""),
    "case.number": (_("case number, e.g. A-100042"), _case(lambda t: t.number)),
    "case.subject": (_("case subject"), _case(lambda t: t.subject)),
    "case.status": (_("case status"), lambda c: STATUS_NAMES.get(c.language, STATUS_NAMES["en"]).get(
        c.ticket.status, Status(c.ticket.status).label) if c.ticket else ""),
    "case.priority": (_("case priority"), lambda c: PRIORITY_NAMES.get(c.language, PRIORITY_NAMES["en"]).get(
        c.ticket.priority, str(Priority(c.ticket.priority).label)) if c.ticket else ""),
    "case.created": (_("date the case was opened"), lambda c: format_date(c.ticket.created_at, c.language)
                     if c.ticket else ""),
    "case.team": (_("team name"), lambda c: t.name if (t := _team(c)) else ""),
    "team.name": (_("team name"), lambda c: t.name if (t := _team(c)) else ""),
    "team.email": (_("team address"), lambda c: t.email if (t := _team(c)) else ""),
    "agent.name": (_("your name"), _agent(str)),
    "agent.first_name": (_("your first name"), _agent(lambda u: u.first_name or _first_name(str(u)))),
    "agent.email": (_("your e-mail address"), _agent(lambda u: u.email)),
    "date.today": (_("today's date"), lambda c: format_date(c.today, c.language)),
    "date.tomorrow": (_("tomorrow's date"), _in_days(1)),
    "date.in_3_days": (_("the date in 3 days"), _in_days(3)),
    "date.in_7_days": (_("the date in 7 days"), _in_days(7)),
    "date.in_14_days": (_("the date in 14 days"), _in_days(14)),
    "date.in_30_days": (_("the date in 30 days"), _in_days(30)),
}

# Where a customer's or agent's name is missing, a neutral word keeps the sentence whole.
FALLBACKS = {
    "customer.name": {"de": "Kundin, Kunde", "da": "kunde", "en": "customer"},
}


@dataclass(frozen=True)
class Rendered:
    text: str
    unknown: tuple[str, ...]  # variable names that are not in VARIABLES, in order of appearance
    used: tuple[str, ...]


def find_variables(text: str) -> tuple[list[str], list[str]]:
    """(known, unknown) variable names used in text, each once, in order of appearance."""
    known: list[str] = []
    unknown: list[str] = []
    for match in PLACEHOLDER.finditer(text):
        name = match.group(1)
        target = known if name in VARIABLES else unknown
        if name not in target:
            target.append(name)
    return known, unknown


def render_text(text: str, context: Context) -> Rendered:
    """Replace every known {{ variable }}; leave unknown ones verbatim and report them."""
    used: list[str] = []
    unknown: list[str] = []

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        entry = VARIABLES.get(name)
        if entry is None:
            if name not in unknown:
                unknown.append(name)
            return match.group(0)
        if name not in used:
            used.append(name)
        value = entry[1](context) or FALLBACKS.get(name, {}).get(context.language, "")
        return str(value)

    return Rendered(PLACEHOLDER.sub(substitute, text), tuple(unknown), tuple(used))
