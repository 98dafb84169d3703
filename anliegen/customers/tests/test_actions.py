"""The customers actions: creating customers, their addresses and numbers, finding them again."""

import threading

import pytest
from django.db import connection

from anliegen.customers import actions
from anliegen.customers.models import Customer, CustomerEmail, CustomerPhone


def test_it_creates_a_customer_with_normalised_identities(db):
    customer = actions.create_customer(name="Erika Mustermann", emails=[" Erika@Example.ORG ", "e.m@example.org"],
                                       phones=["0171 2345678"], preferred_language="de", region="DE")
    assert customer.primary_email == "erika@example.org"
    assert list(CustomerEmail.objects.filter(customer=customer).order_by("-is_primary", "address")
                .values_list("address", "is_primary")) == [("erika@example.org", True), ("e.m@example.org", False)]
    assert list(CustomerPhone.objects.filter(customer=customer).values_list("number", flat=True)) == ["+491712345678"]


def test_it_finds_a_customer_by_address_and_number_typed_any_usual_way(db):
    customer = actions.create_customer(name="Jens Hansen", emails=["jens@example.dk"], phones=["+45 23 99 93 15"])
    assert actions.find_customer_by_email("JENS@example.dk ") == customer
    assert actions.find_customer_by_phone("23999315", region="DK") == customer
    assert actions.find_customer_by_phone("+4523999315") == customer
    assert actions.find_customer_by_email("nobody@example.dk") is None


def test_it_refuses_a_number_that_cannot_be_dialled(db):
    with pytest.raises(actions.InvalidPhoneNumber):
        actions.create_customer(name="X", phones=["keine Nummer"])
    assert not Customer.objects.exists()


def test_a_number_belongs_to_one_customer(db):
    first = actions.create_customer(name="A", phones=["+49 30 1234567"])
    second = actions.create_customer(name="B")
    assert actions.add_customer_phone(customer=first, number="+49301234567").customer == first  # already theirs
    with pytest.raises(actions.PhoneNumberTaken):
        actions.add_customer_phone(customer=second, number="030 1234567", region="DE")
    added = actions.add_customer_phone(customer=second, number="+49 30 7654321", label="Büro")
    assert (added.customer, added.number, added.label) == (second, "+49307654321", "Büro")


def test_get_or_create_by_email_links_a_known_address(db):
    known = actions.create_customer(name="Erika", emails=["erika@example.org"])
    assert actions.get_or_create_customer_by_email(address="Erika@Example.org", name="Anders") == known
    new = actions.get_or_create_customer_by_email(address="neu@example.org", name="Neu", preferred_language="da")
    assert (new.name, new.preferred_language, new.primary_email) == ("Neu", "da", "neu@example.org")
    assert Customer.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_processes_creating_one_address_get_one_customer():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite writes one transaction at a time; the race needs PostgreSQL")
    results: list[Customer] = []
    barrier = threading.Barrier(2)

    def create() -> None:
        barrier.wait()
        try:
            results.append(actions.get_or_create_customer_by_email(address="race@example.org"))
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({c.pk for c in results}) == 1
    assert CustomerEmail.objects.filter(address="race@example.org").count() == 1


def test_it_sets_the_preferred_language(db):
    customer = actions.create_customer(name="Jens", preferred_language="de")
    actions.set_preferred_language(customer=customer, language="da")
    assert Customer.objects.get(pk=customer.pk).preferred_language == "da"
