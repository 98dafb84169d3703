"""In the browser: an agent answers a case opened by a call; the reply box says where the
reply goes and the confirmation says what happened."""

import pytest

from anliegen.mail.models import Outbox
from anliegen.testing import make_customer, make_ticket
from anliegen.tickets.models import Channel
from conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_answers_a_phone_case_by_mail_and_a_customer_without_address_in_the_portal(page, live_server, world):
    by_phone = make_ticket(team=world.support, customer=world.customer, channel=Channel.PHONE,
                           subject="Rückruf wegen Router")
    no_address = make_customer("Otto Ohnemail")
    no_address.emails.all().delete()
    portal_only = make_ticket(team=world.support, customer=no_address, channel=Channel.PHONE, subject="Brief")
    login(page, live_server, "anna")
    page.wait_for_selector("nav.sidebar")

    page.goto(f"{live_server.url}/cases/{by_phone.number}/")
    assert page.inner_text("#reply-delivery") == "Goes by e-mail to erika@example.org."
    page.fill("#id_reply_text", "Wie besprochen: der neue Router ist unterwegs.")
    page.click("button[name=send]")
    page.wait_for_selector("text=is being sent by e-mail to erika@example.org")
    page.screenshot(path="/tmp/outmail-reply-mailed.png", full_page=True)
    assert Outbox.objects.get(ticket=by_phone).to == "erika@example.org"

    page.goto(f"{live_server.url}/cases/{portal_only.number}/")
    assert page.inner_text("#reply-delivery") == "Portal only: the customer has no e-mail address."
    page.fill("#id_reply_text", "Ihre Unterlagen sind angekommen.")
    page.click("button[name=send]")
    page.wait_for_selector("text=visible in the portal only")
    page.screenshot(path="/tmp/outmail-reply-portal.png", full_page=True)
    assert not Outbox.objects.filter(ticket=portal_only).exists()
