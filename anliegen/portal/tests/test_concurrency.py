"""Two clicks on "send" at the same moment: the one-time token lets exactly one through."""

import threading

import pytest
from django.db import close_old_connections, connection

from anliegen.portal import actions
from anliegen.portal.models import SignInLink
from anliegen.portal.tokens import new_form_token
from anliegen.tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _real_database(db):
    # SQLite's shared-cache in-memory test database answers "table is locked" at once instead
    # of waiting; a file database (ANLIEGEN_TEST_SQLITE) and PostgreSQL wait as in production.
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("needs PostgreSQL or a file SQLite test database (ANLIEGEN_TEST_SQLITE)")


def run_twice(function) -> list:
    barrier = threading.Barrier(2)
    results: list = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(function())
        except Exception as exc:  # collected and asserted by the test
            results.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_it_opens_one_case_for_two_simultaneous_submissions(world):
    token = new_form_token()
    before = Ticket.objects.count()
    results = run_twice(
        lambda: actions.submit_concern(
            customer=world.customer, form_token=token, subject="Doppelt", text="Zweimal geklickt"
        )
    )
    assert all(isinstance(r, actions.Outcome) for r in results), results
    assert sorted(r.created for r in results) == [False, True]
    assert Ticket.objects.count() == before + 1
    assert results[0].ticket.pk == results[1].ticket.pk


def test_it_lets_a_link_sign_in_once_when_clicked_twice_at_once(world):
    token = actions.issue_sign_in_link(customer=world.customer, email="erika@example.org")
    results = run_twice(lambda: actions.redeem_sign_in_link(token=token))
    assert sum(1 for r in results if r == world.customer) == 1
    assert sum(1 for r in results if isinstance(r, actions.LinkInvalid) and r.reason == "used") == 1
    assert SignInLink.objects.get().used_at is not None
