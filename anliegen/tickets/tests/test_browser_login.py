import pytest

from conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_signs_in_and_opens_a_case(page, live_server, world):
    login(page, live_server, "anna")
    page.click(f"text={world.support.name}")
    page.click(f"text={world.ticket.subject}")
    assert page.locator("h1").inner_text().endswith(world.ticket.subject)


def test_it_refuses_a_wrong_password(page, live_server, world):
    login(page, live_server, "anna", "wrong-password")
    page.wait_for_selector("[role=alert]")
    assert "/accounts/login/" in page.url
