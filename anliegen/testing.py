"""Helpers for tests: personas and make_* functions that go through the actions."""

import itertools
from collections.abc import Sequence

from anliegen.accounts.actions import add_member, create_staff, create_team
from anliegen.accounts.models import Role, Team, TeamKind, User
from anliegen.customers.actions import create_customer
from anliegen.customers.models import Customer
from anliegen.tickets.actions import create_ticket
from anliegen.tickets.models import Channel, Ticket
from anliegen.tickets.storage import IncomingFile

PASSWORD = "correct-horse-battery"
_counter = itertools.count(1)


def make_team(name: str | None = None, *, kind: str = TeamKind.SUPPORT, confidential: bool = False,
              default_language: str = "de") -> Team:
    name = name or f"Team {next(_counter)}"
    return create_team(name=name, kind=kind, confidential=confidential, default_language=default_language)


def make_agent(username: str | None = None, *, teams: Sequence[Team] = (), role: str = Role.AGENT,
               languages: Sequence[str] = ("de", "en")) -> User:
    username = username or f"agent{next(_counter)}"
    return create_staff(username=username, password=PASSWORD, role=role, display_name=username.title(),
                        email=f"{username}@anliegen.example", languages=languages, teams=teams)


def make_customer(name: str = "Erika Mustermann", *, email: str | None = None, language: str = "de",
                  phones: Sequence[str] = ()) -> Customer:
    email = email or f"customer{next(_counter)}@example.org"
    return create_customer(name=name, emails=[email], preferred_language=language, phones=phones)


def make_ticket(*, team: Team, customer: Customer | None = None, subject: str = "Rechnung doppelt bezahlt",
                text: str = "Guten Tag, ich wurde zweimal belastet.", channel: str = Channel.EMAIL,
                attachments: Sequence[IncomingFile] = (), **kwargs: object) -> Ticket:
    customer = customer or make_customer()
    return create_ticket(subject=subject, customer=customer, team=team, channel=channel, text=text,
                         attachments=attachments, **kwargs)  # type: ignore[arg-type]


__all__ = ["PASSWORD", "add_member", "make_agent", "make_customer", "make_team", "make_ticket", "run_worker"]


def run_worker() -> int:
    """Do what `anliegen worker` does next: run every queued background task, then send the
    due outbox (tests run inside a transaction, so the send enqueued after commit never
    comes). Returns the number of mails sent."""
    from django_tasks_db.models import DBTaskResult

    from anliegen.mail.outbound import send_due

    for result in DBTaskResult.objects.filter(status="READY").order_by("enqueued_at"):
        result.delete()
        result.task.call(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
    return send_due().sent
