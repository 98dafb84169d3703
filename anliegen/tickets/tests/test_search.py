"""Search finds cases by their words, their number and their customer: e-mail address, phone
number in any usual format, name and organisation. A case number opens the case at once."""

import pytest
from django.urls import reverse

from anliegen import testing
from anliegen.customers.actions import add_customer_phone
from anliegen.customers.models import Organisation
from anliegen.testing import PASSWORD

URL = reverse("tickets:search")


@pytest.fixture
def anna(client, world):
    client.login(username="anna", password=PASSWORD)
    return world.agent


@pytest.fixture
def erika_case(world):
    """A case of Erika's whose text names none of her details."""
    organisation = Organisation.objects.create(name="Bäckerei Sonnenschein GmbH", domain="sonnenschein.de")
    world.customer.organisation = organisation
    world.customer.save(update_fields=["organisation"])
    add_customer_phone(customer=world.customer, number="+49 30 1234567")
    return testing.make_ticket(team=world.support, customer=world.customer, subject="Modem blinkt",
                               text="Das Lämpchen blinkt rot.")


QUERIES = [
    "erika@example.org", "ERIKA@example.org", "@example.org",
    "+49 30 1234567", "030 1234567", "030/1234567", "(030) 123 45 67", "0049 30 1234567", "+49301234567",
    "Erika Mustermann", "mustermann", "Mustermann Erika",
    "Sonnenschein", "bäckerei sonnenschein",
]


def _listed(response, ticket) -> bool:
    return reverse("tickets:case", args=[ticket.number]) in response.text


def test_it_finds_a_case_by_its_customer(client, anna, world, erika_case):
    for query in QUERIES:
        response = client.get(URL, {"q": query})
        assert response.status_code == 200
        assert _listed(response, erika_case) and _listed(response, world.ticket), query
        # Jens's case (another team, another customer) is never listed, nor the confidential one.
        assert not _listed(response, world.other_ticket), query
        assert not _listed(response, world.confidential_ticket), query


def test_it_lists_only_cases_the_agent_may_see(client, world, erika_case):
    client.login(username="olga", password=PASSWORD)
    response = client.get(URL, {"q": "erika@example.org"})
    assert not _listed(response, erika_case) and not _listed(response, world.ticket)


def test_it_does_not_match_another_customer_by_a_near_address(client, anna, world, erika_case):
    response = client.get(URL, {"q": "rika@example.org"})
    assert not _listed(response, erika_case)


def test_it_opens_the_case_a_number_names(client, anna, world):
    number = world.ticket.number
    for query in [number, number.lower(), f"#{number}", number.split("-")[-1], f" {number} "]:
        response = client.get(URL, {"q": query})
        assert response.status_code == 302, query
        assert response.url == reverse("tickets:case", args=[number])


def test_it_does_not_open_a_case_of_another_team_by_its_number(client, anna, world):
    response = client.get(URL, {"q": world.other_ticket.number})
    assert response.status_code == 200
    assert not _listed(response, world.other_ticket)


def test_it_reads_a_local_number_in_the_agents_country(client, world):
    danish = testing.make_team("Support Danmark", default_language="da")
    danish.phone_region = "DK"
    danish.save(update_fields=["phone_region"])
    testing.make_agent("sofie", teams=[danish, world.commercial])
    add_customer_phone(customer=world.other_customer, number="+45 23 99 93 15")
    client.login(username="sofie", password=PASSWORD)
    response = client.get(URL, {"q": "23 99 93 15"})
    assert _listed(response, world.other_ticket)
