"""Anliegen's own "not found" and "forbidden" pages (anliegen.lib.errors), DEBUG on and off."""

import pytest

from anliegen.testing import PASSWORD

DEBUG_PAGE = "You’re seeing this error because you have"


def _signed_in(client, user):
    assert client.login(username=user.username, password=PASSWORD)


@pytest.mark.parametrize("debug", [True, False])
def test_it_answers_a_queue_one_may_not_see_with_anliegens_not_found_page(client, world, settings, debug):
    settings.DEBUG = debug
    _signed_in(client, world.outsider)
    response = client.get(f"/queues/{world.confidential.slug}/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "Not found" in page and 'class="sidebar"' in page  # the workspace's frame, signed in
    assert DEBUG_PAGE not in page and world.confidential.name not in page


@pytest.mark.parametrize("debug", [True, False])
def test_it_answers_a_case_one_may_not_see_as_one_that_does_not_exist(client, world, settings, debug):
    settings.DEBUG = debug
    _signed_in(client, world.outsider)
    hidden = client.get(f"/cases/{world.ticket.number}/")
    missing = client.get("/cases/A-999999/")
    assert hidden.status_code == missing.status_code == 404
    assert "No such case" in hidden.content.decode() and DEBUG_PAGE not in hidden.content.decode()
    assert world.ticket.subject not in hidden.content.decode()


@pytest.mark.parametrize("debug", [True, False])
def test_it_answers_a_panel_of_a_case_one_may_not_see_with_the_page_too(client, world, settings, debug):
    settings.DEBUG = debug
    _signed_in(client, world.outsider)
    response = client.get(f"/phone/cases/{world.ticket.number}/journey/")
    assert response.status_code == 404 and DEBUG_PAGE not in response.content.decode()


@pytest.mark.parametrize("debug", [True, False])
def test_it_answers_another_customers_case_in_the_portal_with_the_portals_page(client, world, settings, debug):
    from anliegen.portal.session import SESSION_KEY

    settings.DEBUG = debug
    session = client.session
    session[SESSION_KEY] = world.other_customer.pk
    session.save()
    response = client.get(f"/portal/cases/{world.ticket.number}/")
    page = response.content.decode()
    assert response.status_code == 404
    assert 'class="topbar"' in page and 'href="/portal/"' in page and 'class="error-page"' in page  # the portal's frame
    assert DEBUG_PAGE not in page and world.ticket.subject not in page and 'class="sidebar"' not in page


@pytest.mark.parametrize("debug", [True, False])
def test_it_answers_a_forbidden_admin_page_with_anliegens_page(client, world, settings, debug):
    settings.DEBUG = debug
    _signed_in(client, world.lead)
    response = client.get("/mail/quarantine/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "Not allowed" in page and "This page is for administrators." in page and 'class="sidebar"' in page


def test_it_answers_an_unknown_address_with_anliegens_page_in_production(client, world, settings):
    settings.DEBUG = False
    _signed_in(client, world.agent)
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "Not found" in response.content.decode()
