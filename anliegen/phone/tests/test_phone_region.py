"""Phone numbers typed without their country code are read in the country of the team (a Danish
reception's "23999315" is +45), else in the site's (ANLIEGEN_PHONE_REGION, default Germany)."""

import pytest
from django.urls import reverse

from anliegen import testing
from anliegen.accounts.models import TeamKind
from anliegen.customers.actions import normalise_phone, phone_region, phone_region_of_user
from anliegen.customers.models import CustomerPhone
from anliegen.testing import PASSWORD
from anliegen.tickets.models import Channel, Ticket

URL = reverse("phone:log_call")
LOOKUP = reverse("phone:lookup")


@pytest.fixture
def danish_reception(world):
    team = testing.make_team("Kundeservice Danmark", kind=TeamKind.RECEPTION, default_language="da")
    team.phone_region = "DK"
    team.save(update_fields=["phone_region"])
    return team


@pytest.fixture
def mads(client, danish_reception):
    user = testing.make_agent("mads", teams=[danish_reception])
    client.login(username="mads", password=PASSWORD)
    return user


def test_it_reads_a_local_number_in_the_country_given():
    assert normalise_phone("23999315", "DK") == "+4523999315"
    assert normalise_phone("030 1234567", "DE") == "+49301234567"
    assert normalise_phone("+45 23 99 93 15", "DE") == "+4523999315"  # a country code wins


def test_it_takes_the_region_of_the_team_then_the_site(world, danish_reception, settings):
    assert phone_region(world.support) == "DE"
    assert phone_region(None, danish_reception, world.support) == "DK"
    settings.PHONE_REGION = "AT"
    assert phone_region(world.support) == "AT"
    assert phone_region_of_user(world.agent) == "AT"


def test_it_identifies_a_danish_caller_by_the_local_number_at_a_danish_reception(client, mads, world):
    CustomerPhone.objects.create(customer=world.other_customer, number="+4523999315")
    response = client.get(LOOKUP, {"number": "23999315"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    # Known (a customer of +45 23 99 93 15); named only to staff who see one of his cases.
    assert "a known customer" in response.text and world.other_ticket.number in response.text


def test_it_stores_a_new_callers_local_number_with_the_teams_country_code(client, mads, world):
    response = client.post(URL, {"number": "23 99 93 15", "case": "new", "name": "Søren Sørensen",
                                 "note": "Min router virker ikke.", "team": world.support.pk})
    assert response.status_code == 302, response.text
    ticket = Ticket.objects.get(channel=Channel.PHONE)
    assert list(ticket.customer.phones.values_list("number", flat=True)) == ["+4523999315"]
    assert ticket.customer.preferred_language == "da"


def test_it_reads_the_same_digits_as_german_at_a_german_reception(client, reception, world):
    testing.make_agent("petra", teams=[reception])
    client.login(username="petra", password=PASSWORD)
    CustomerPhone.objects.create(customer=world.other_customer, number="+4523999315")
    response = client.get(LOOKUP, {"number": "030 1234567"}, headers={"HX-Request": "true"})
    assert "+49 30 1234567" in response.text and "Jens Hansen" not in response.text
