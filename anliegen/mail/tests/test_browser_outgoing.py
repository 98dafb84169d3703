"""In the browser: an admin finds a portal sign-in link on the "Outgoing mail" page and the
link signs the customer in."""

import re

import pytest

from anliegen.accounts.models import Role
from anliegen.testing import make_agent, run_worker
from conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_reads_the_demo_mail_with_its_sign_in_link(page, new_page, live_server, world, settings):
    settings.SITE_URL = live_server.url
    make_agent("adam", role=Role.ADMIN)
    customer = new_page()
    customer.goto(f"{live_server.url}/portal/login/")
    customer.fill("#id_email", "erika@example.org")
    customer.click("#sign-in-form button[type=submit]")
    customer.wait_for_selector("#link-sent")
    run_worker()

    login(page, live_server, "adam")
    page.click("nav.sidebar >> text=Outgoing mail")
    page.wait_for_selector("#outgoing")
    page.screenshot(path="/tmp/outmail-outgoing-list.png", full_page=True)
    page.click("#outgoing tbody tr:first-child td:nth-child(4) a")  # the sign-in link, in Erika’s German
    text = page.inner_text("#outgoing-text")
    page.screenshot(path="/tmp/outmail-outgoing-detail.png", full_page=True)
    link = re.search(r"http://\S+/portal/enter/\S+/", text).group(0)
    assert link.startswith(live_server.url)

    customer.goto(link)
    customer.click("#enter-portal")
    customer.wait_for_selector("#portal-cases")
    assert world.ticket.subject in customer.inner_text("#portal-cases")
