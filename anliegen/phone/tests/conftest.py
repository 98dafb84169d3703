"""Phone personas on top of the shared world: a receptionist and a reception team."""

import pytest

from anliegen import testing
from anliegen.accounts.models import TeamKind
from anliegen.customers.actions import add_customer_phone


@pytest.fixture
def reception(world):
    team = testing.make_team("Empfang", kind=TeamKind.RECEPTION)
    return team


@pytest.fixture
def receptionist(reception):
    return testing.make_agent("petra", teams=[reception])


@pytest.fixture
def known_number(world) -> str:
    """Erika's number, as reception types it."""
    add_customer_phone(customer=world.customer, number="030 1234567")
    return "030 1234567"
