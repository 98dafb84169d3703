import re

import pytest
from django.core import mail

from anliegen.testing import make_ticket, run_worker
from anliegen.tickets.actions import add_reply
from anliegen.tickets.models import Channel, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_signs_in_by_mailed_link_and_submits_a_concern(page, live_server, world, settings):
    settings.SITE_URL = live_server.url  # the link in the mail points at this server
    page.goto(f"{live_server.url}/portal/login/")
    page.fill("#id_email", "erika@example.org")
    page.click("#sign-in-form button[type=submit]")
    page.wait_for_selector("#link-sent")

    assert not mail.outbox  # the worker sends it, not the web request
    run_worker()
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/portal/enter/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    page.click("#enter-portal")
    page.wait_for_selector("#portal-cases")
    assert world.ticket.subject in page.locator("#portal-cases").inner_text()

    page.click("text=Submit a new concern >> nth=0")
    page.fill("#id_subject", "Meter reading is wrong")
    page.fill("#id_text", "The meter reading on my invoice does not match my meter.")
    page.click("#concern-form button[type=submit]")
    page.wait_for_selector("text=We received your concern as case")
    ticket = Ticket.objects.get(subject="Meter reading is wrong")
    assert ticket.channel == Channel.PORTAL and ticket.customer == world.customer
    assert ticket.number in page.locator("h1").inner_text()
    run_worker()
    confirmation = mail.outbox[-1]
    assert confirmation.to == ["erika@example.org"] and ticket.number in confirmation.subject

    page.click("text=My cases >> nth=0")
    row = page.locator("#portal-cases tr", has_text=ticket.number)
    assert "Meter reading is wrong" in row.inner_text()
    assert "Received" in row.inner_text()


def test_a_reply_on_a_portal_case_arrives_by_mail_and_its_link_opens_the_portal(page, live_server, world,
                                                                              settings):
    settings.SITE_URL = live_server.url
    ticket = make_ticket(team=world.support, customer=world.customer, channel=Channel.PORTAL,
                         subject="Zählerstand falsch", text="Der Zählerstand stimmt nicht.")
    add_reply(ticket=ticket, author=world.agent, text="Wir haben den Zählerstand korrigiert.")
    run_worker()
    [notice] = mail.outbox
    assert notice.to == ["erika@example.org"] and "Wir haben den Zählerstand korrigiert." in notice.body
    link = re.search(r"http://\S+/portal/enter/\S+/", notice.body).group(0)
    page.goto(link)
    page.click("#enter-portal")
    page.wait_for_selector("#portal-cases")
    page.click(f"text={ticket.subject}")
    page.wait_for_selector("#conversation")
    assert "Wir haben den Zählerstand korrigiert." in page.locator("#conversation").inner_text()
    page.screenshot(path="/tmp/outmail-portal-reply.png", full_page=True)
