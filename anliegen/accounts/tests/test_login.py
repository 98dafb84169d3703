"""Staff sign-in: throttled by account name and by address, the same answer for names that
exist and names that do not, and a pause an administrator can lift."""

import io

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from anliegen.accounts.models import SignInFailure
from anliegen.testing import PASSWORD

URL = reverse("accounts:login")
WRONG = "Please enter a correct username and password. Note that both fields may be case-sensitive."


@pytest.fixture(autouse=True)
def _small_limits(settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 3
    settings.LOGIN_FAILURES_PER_ADDRESS = 5


def sign_in(client: Client, username: str, password: str, address: str = "192.0.2.1", **extra):
    return client.post(URL, {"username": username, "password": password}, REMOTE_ADDR=address, **extra)


def errors(response) -> list[str]:
    return [str(e) for e in response.context["form"].non_field_errors()]


def test_it_pauses_an_account_after_too_many_wrong_passwords(client, world):
    for _ in range(2):
        response = sign_in(client, "anna", "wrong")
        assert response.status_code == 200
        assert errors(response) == [WRONG]
    response = sign_in(client, "anna", "wrong")  # the third failure says so at once
    assert response.status_code == 429
    assert "Signing in is paused for 15 minutes" in response.text
    response = sign_in(client, "anna", PASSWORD)  # even the right password waits now
    assert response.status_code == 429
    assert "Signing in is paused for 15 minutes" in response.text
    assert SESSION_KEY not in client.session
    assert SignInFailure.objects.filter(kind="account", key="anna").count() == 3
    # Another person from the same office is not locked out by it.
    assert sign_in(client, "tom", PASSWORD).status_code == 302


def test_it_answers_unknown_names_like_wrong_passwords(client, world):
    known, unknown = [], []
    for _ in range(4):
        known.append(errors(sign_in(Client(), "anna", "wrong", address="192.0.2.10")))
        unknown.append(errors(sign_in(Client(), "nobody", "wrong", address="192.0.2.11")))
    assert known == unknown
    assert "paused" in known[-1][0] and "paused" not in known[0][0]


def test_it_pauses_an_address_trying_many_names(client, world):
    for i in range(4):
        assert sign_in(client, f"guess{i}", "wrong").status_code == 200
    assert sign_in(client, "guess4", "wrong").status_code == 429
    assert sign_in(client, "anna", PASSWORD).status_code == 429
    assert sign_in(client, "anna", PASSWORD, address="192.0.2.99").status_code == 302
    # A forged X-Forwarded-For does not make a fresh address.
    response = sign_in(Client(), "tom", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.1")
    assert response.status_code == 429


def test_it_forgets_an_accounts_failures_when_it_signs_in(client, world):
    for _ in range(2):
        sign_in(client, "anna", "wrong")
    assert sign_in(client, "anna", PASSWORD).status_code == 302
    assert not SignInFailure.objects.filter(kind="account", key="anna").exists()
    assert SignInFailure.objects.filter(kind="address", key="192.0.2.1").count() == 2


def test_it_lets_an_administrator_lift_the_pause(client, world):
    for _ in range(3):
        sign_in(client, "Anna", "wrong")
    assert sign_in(client, "anna", PASSWORD).status_code == 429
    out = io.StringIO()
    call_command("unlock_sign_in", "anna", stdout=out)
    assert "3 failed sign-ins forgotten" in out.getvalue()
    assert sign_in(client, "anna", PASSWORD).status_code == 302


def test_it_lifts_the_pause_of_an_address_or_all(world):
    for i in range(5):
        sign_in(Client(), f"guess{i}", "wrong")
    call_command("unlock_sign_in", address="192.0.2.1", stdout=io.StringIO())
    assert not SignInFailure.objects.filter(kind="address").exists()
    assert SignInFailure.objects.filter(kind="account").count() == 5
    call_command("unlock_sign_in", all=True, stdout=io.StringIO())
    assert not SignInFailure.objects.exists()
