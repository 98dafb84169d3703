"""The workspace at 1400 and at 390 px: nothing overflows the window, case numbers stay on
one line, side boxes fold."""

import pytest

from conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1400, 390])
def test_it_lays_out_queue_and_case_at_any_width(new_page, live_server, world, width):
    page = new_page()
    page.set_viewport_size({"width": width, "height": 860})
    login(page, live_server, "anna")
    page.goto(f"{live_server.url}/queues/{world.support.slug}/")
    page.wait_for_selector("td.case-number a")
    page.screenshot(path=f"/tmp/team-queue-{width}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    number = page.locator("td.case-number a").first
    line = page.evaluate("parseFloat(getComputedStyle(document.querySelector('td.case-number a')).lineHeight)")
    assert number.bounding_box()["height"] < 1.5 * line  # one line, not "A-" over "100004"

    page.goto(f"{live_server.url}/cases/{world.ticket.number}/")
    page.wait_for_selector("details[data-remember=side-case]")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    heading = page.locator("h1 .case-number")
    assert heading.bounding_box()["height"] < 1.5 * page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('h1 .case-number')).lineHeight)")
    page.click("details[data-remember=side-escalate] summary")
    assert not page.locator("details[data-remember=side-escalate]").evaluate("d => d.open")
    page.reload()
    page.wait_for_selector("details[data-remember=side-escalate]")
    assert not page.locator("details[data-remember=side-escalate]").evaluate("d => d.open")  # remembered
    page.screenshot(path=f"/tmp/team-case-{width}.png", full_page=True)
