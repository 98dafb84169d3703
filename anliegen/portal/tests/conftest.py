"""Helpers for the portal's tests: sign a customer in through a real one-time link."""

import time

import pytest
from django.test import Client
from django.urls import reverse

from anliegen.customers.actions import set_preferred_language
from anliegen.customers.models import Customer
from anliegen.portal.actions import issue_sign_in_link
from anliegen.portal.tokens import new_form_token


@pytest.fixture(autouse=True)
def _erika_reads_english(request) -> None:
    """Erika prefers German in the shared world; the portal's tests read its English text, so
    she reads English here (Jens keeps Danish for the language tests)."""
    if "world" in request.fixturenames:
        set_preferred_language(customer=request.getfixturevalue("world").customer, language="en")


def sign_in(client: Client, customer: Customer) -> Client:
    token = issue_sign_in_link(customer=customer, email=customer.primary_email)
    response = client.post(reverse("portal:enter", args=[token]))
    assert response.status_code == 302, response
    return client


@pytest.fixture
def customer_client(client, world) -> Client:
    """A browser in which world.customer (Erika) is signed in to the portal."""
    return sign_in(client, world.customer)


def old_form_token(seconds: float = 60) -> str:
    """A form token as if the form had been shown `seconds` ago."""
    return new_form_token(shown_at=time.time() - seconds)
