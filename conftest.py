"""Shared fixtures: the personas every permission test uses.

- agent, teammate: members of the technical support team
- outsider: an agent of the commercial team only
- confidential_member: member of a confidential team (e.g. health claims)
- lead: head of service, sees everything
- customer, other_customer: two customers with a case each
"""

from dataclasses import dataclass

import pytest

from anliegen import testing
from anliegen.accounts.models import Role, Team, TeamKind, User
from anliegen.customers.models import Customer
from anliegen.tickets.models import Ticket


@pytest.fixture(autouse=True)
def _attachment_dir(settings, tmp_path):
    settings.ATTACHMENT_DIR = tmp_path / "attachments"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@dataclass
class World:
    support: Team
    commercial: Team
    confidential: Team
    agent: User
    teammate: User
    outsider: User
    confidential_member: User
    lead: User
    customer: Customer
    other_customer: Customer
    ticket: Ticket
    other_ticket: Ticket
    confidential_ticket: Ticket


@pytest.fixture
def world(db) -> World:
    support = testing.make_team("Technischer Support")
    commercial = testing.make_team("Kaufmännischer Support")
    confidential = testing.make_team("Leistungsfälle", confidential=True)
    testing.make_team("Leitung", kind=TeamKind.LEAD)
    agent = testing.make_agent("anna", teams=[support])
    teammate = testing.make_agent("tom", teams=[support])
    outsider = testing.make_agent("olga", teams=[commercial])
    confidential_member = testing.make_agent("carla", teams=[confidential])
    lead = testing.make_agent("lena", role=Role.LEAD)
    customer = testing.make_customer("Erika Mustermann", email="erika@example.org")
    other_customer = testing.make_customer("Jens Hansen", email="jens@example.dk", language="da")
    ticket = testing.make_ticket(team=support, customer=customer, subject="Router startet nicht")
    other_ticket = testing.make_ticket(team=commercial, customer=other_customer, subject="Faktura forkert",
                                       text="Hej, min faktura er forkert.")
    confidential_ticket = testing.make_ticket(team=confidential, customer=customer, subject="Krankenakte",
                                              text="Meine Diagnose ...")
    return World(support, commercial, confidential, agent, teammate, outsider, confidential_member, lead,
                 customer, other_customer, ticket, other_ticket, confidential_ticket)
