import datetime
import re

import pytest
from django_tasks_db.models import DBTaskResult
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from anliegen.customers.models import Customer
from anliegen.mail.models import Outbox, OutboxKind, OutboxStatus
from anliegen.portal import tokens
from anliegen.portal.actions import issue_sign_in_link
from anliegen.portal.models import SignInLink
from anliegen.portal.session import SESSION_KEY
from anliegen.testing import run_worker

from .conftest import sign_in

LINK = re.compile(r"https?://\S+/portal/enter/[\w-]+/")


def request_link(client, address: str, **extra):
    return client.post(reverse("portal:login"), {"email": address}, **extra)


def test_it_shows_the_sign_in_form(client, world):
    response = client.get(reverse("portal:login"))
    assert response.status_code == 200
    assert 'name="email"' in response.text


def test_it_mails_a_one_time_link_to_a_known_address(client, world, settings):
    settings.SITE_URL = "https://service.example.com"
    response = request_link(client, " Erika@Example.org ")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:link_sent")
    assert not mail.outbox and not SignInLink.objects.exists()  # nothing is sent in the request
    run_worker()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["erika@example.org"]
    url = LINK.search(message.body).group(0)
    assert url.startswith("https://service.example.com/portal/enter/")
    token = url.rstrip("/").rsplit("/", 1)[1]
    link = SignInLink.objects.get()
    assert link.customer == world.customer
    assert link.token_hash == tokens.sha256(token) != token  # only the hash is stored
    assert link.used_at is None
    assert (
        datetime.timedelta(minutes=29)
        < link.expires_at - link.created_at
        <= datetime.timedelta(minutes=30)
    )


def _answer(response) -> tuple:
    cookies = sorted((name, morsel.value) for name, morsel in response.cookies.items())
    headers = sorted((k, v) for k, v in response.headers.items() if k.lower() != "date")
    return response.status_code, headers, response.content, cookies


def test_it_answers_the_same_for_an_unknown_address(client, world):
    known = request_link(client, "erika@example.org")
    unknown = request_link(client, "nobody@example.org")
    assert _answer(known) == _answer(unknown)
    # Both requests did the same work: two rate-limit counts and one task for the worker.
    assert [r.args_kwargs["kwargs"]["address"] for r in DBTaskResult.objects.order_by("enqueued_at")] == [
        "erika@example.org", "nobody@example.org"]
    assert not SignInLink.objects.exists() and not mail.outbox
    run_worker()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["erika@example.org"]  # only the known one
    assert SignInLink.objects.count() == 1
    page = client.get(unknown["Location"])
    assert "If the address belongs to one of our customers" in page.text


def test_the_sign_in_link_goes_through_the_outbox(client, world):
    request_link(client, "erika@example.org")
    run_worker()
    [row] = Outbox.objects.all()
    assert row.kind == OutboxKind.SIGN_IN and row.status == OutboxStatus.SENT and row.ticket is None
    assert row.to == "erika@example.org" and LINK.search(row.text)
    assert mail.outbox[0].extra_headers["Auto-Submitted"] == "auto-generated"


def test_it_says_what_is_wrong_with_a_malformed_address(client, world):
    response = request_link(client, "not an address")
    assert response.status_code == 400
    assert "Enter a valid e-mail address." in response.text
    assert not mail.outbox


def test_it_signs_in_with_the_link_exactly_once(client, world):
    token = issue_sign_in_link(customer=world.customer, email="erika@example.org")
    url = reverse("portal:enter", args=[token])
    page = client.get(url)  # e.g. a mail scanner opening the link: it must not use it up
    assert page.status_code == 200
    assert "Sign in now" in page.text
    assert SignInLink.objects.get().used_at is None
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:cases")
    assert client.session[SESSION_KEY] == world.customer.pk
    assert SignInLink.objects.get().used_at is not None
    assert "_auth_user_id" not in client.session  # no Django user is signed in
    again = client.post(url)
    assert again.status_code == 410
    assert "already been used" in again.text


def test_it_refuses_an_expired_link(client, world):
    token = issue_sign_in_link(customer=world.customer, email="erika@example.org")
    SignInLink.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    for method in (client.get, client.post):
        response = method(reverse("portal:enter", args=[token]))
        assert response.status_code == 410
        assert "has expired" in response.text
    assert SESSION_KEY not in client.session
    assert SignInLink.objects.get().used_at is None


def test_it_refuses_a_forged_link(client, world):
    issue_sign_in_link(customer=world.customer, email="erika@example.org")
    response = client.post(reverse("portal:enter", args=["made-up-token"]))
    assert response.status_code == 404
    assert "not valid" in response.text
    assert SESSION_KEY not in client.session


def test_it_sends_no_link_to_an_anonymised_customer(client, world):
    Customer.objects.filter(pk=world.customer.pk).update(anonymised_at=timezone.now())
    response = request_link(client, "erika@example.org")
    assert response.status_code == 302
    run_worker()
    assert not mail.outbox


def test_it_limits_link_requests_per_address(client, world, settings):
    settings.PORTAL_LINKS_PER_HOUR = 3
    for _ in range(3):
        assert request_link(client, "erika@example.org").status_code == 302
    response = request_link(client, "erika@example.org")
    assert response.status_code == 429
    assert "try again in an hour" in response.text
    run_worker()
    assert len(mail.outbox) == 3
    assert SignInLink.objects.count() == 3
    # Unknown addresses are limited the same way, so the limit reveals nothing.
    for _ in range(3):
        assert request_link(client, "nobody@example.org").status_code == 302
    assert request_link(client, "nobody@example.org").status_code == 429
    # Another address from another network is not affected.
    assert request_link(client, "jens@example.dk", REMOTE_ADDR="10.0.0.9").status_code == 302


def test_it_limits_link_requests_per_ip(client, world, settings):
    settings.PORTAL_LINKS_PER_HOUR = 1  # four per IP
    for i in range(4):
        assert request_link(client, f"someone{i}@example.org").status_code == 302
    assert request_link(client, "erika@example.org").status_code == 429
    run_worker()
    assert not mail.outbox


def test_it_keeps_the_link_for_a_retry_when_the_mail_server_is_down(client, world, settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                    "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2}}}
    response = request_link(client, "erika@example.org")
    assert response.status_code == 302
    run_worker()
    assert SignInLink.objects.count() == 1
    row = Outbox.objects.get(kind=OutboxKind.SIGN_IN)
    assert row.status == OutboxStatus.PENDING and row.attempts == 1 and row.last_error


def test_it_signs_out(customer_client, world):
    assert customer_client.get(reverse("portal:cases")).status_code == 200
    response = customer_client.post(reverse("portal:logout"))
    assert response.status_code == 302
    assert SESSION_KEY not in customer_client.session
    assert customer_client.get(reverse("portal:cases"))["Location"] == reverse("portal:login")


@pytest.mark.parametrize(
    "name,args",
    [
        ("portal:cases", []),
        ("portal:new", []),
        ("portal:case", ["A-100001"]),
        ("portal:attachment", [1]),
    ],
)
def test_it_sends_anonymous_visitors_to_sign_in(client, world, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:login")


def test_it_sends_a_signed_in_customer_from_the_sign_in_page_to_their_cases(customer_client, world):
    response = customer_client.get(reverse("portal:login"))
    assert response["Location"] == reverse("portal:cases")


def test_it_does_not_let_a_staff_sign_in_count_as_a_customer(client, world):
    client.login(username="anna", password="correct-horse-battery")
    assert client.get(reverse("portal:cases"))["Location"] == reverse("portal:login")


def test_it_speaks_the_browsers_language_before_sign_in(client, world):
    response = client.get(reverse("portal:login"), HTTP_ACCEPT_LANGUAGE="da")
    assert response["Content-Language"] == "da"


def test_it_speaks_the_customers_language_once_signed_in(client, world):
    sign_in(client, world.other_customer)  # Jens prefers Danish
    response = client.get(reverse("portal:cases"), HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "da"


def test_it_saves_the_language_a_customer_chooses(customer_client, world):
    response = customer_client.post(
        reverse("portal:language"), {"language": "en", "next": "/portal/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/portal/"
    world.customer.refresh_from_db()
    assert world.customer.preferred_language == "en"
    assert customer_client.get(reverse("portal:cases"))["Content-Language"] == "en"


def test_it_does_not_redirect_elsewhere_after_choosing_a_language(client, world):
    response = client.post(
        reverse("portal:language"), {"language": "de", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("portal:cases")
    assert response.cookies["django_language"].value == "de"


def test_it_shows_the_portal_in_the_customers_language(client, world):
    from anliegen.customers.actions import set_preferred_language

    set_preferred_language(customer=world.customer, language="de")
    sign_in(client, world.customer)
    response = client.get(reverse("portal:cases"), HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "de"
    assert "Neues Anliegen einreichen" in response.text
