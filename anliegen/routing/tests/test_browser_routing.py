"""In the browser: a lead writes a rule, checks it with the dry run, and a new case follows it;
the case view shows the routing panel; the review page prints and exports."""

import pytest

from anliegen import testing
from conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_edits_a_rule_and_dry_runs_it(page, live_server, world) -> None:
    login(page, live_server, "lena")
    page.click("text=Routing rules")
    page.click("text=New rule")
    page.fill("#id_name", "Router cases")
    page.fill("#id_subject_words", "router")
    page.fill("#id_add_tags", "router")
    page.select_option("#id_set_priority", "3")
    page.click("button:has-text('Save rule')")
    page.wait_for_selector("text=Rule 1 was saved.")
    page.fill("#id_number", world.ticket.number)
    page.click("button:has-text('Which rule would match?')")
    page.wait_for_selector("text=would match rule 1")
    assert page.locator("td:has-text('words in subject')").count() == 1
    case = testing.make_ticket(team=world.support, customer=world.other_customer, subject="Router kaputt",
                               text="Der Router ist kaputt.")
    case.refresh_from_db()
    assert case.priority == 3
    page.goto(f"{live_server.url}/cases/{case.number}/")
    page.wait_for_selector("text=Routing rule 1: Router cases")  # in the history
    page.wait_for_selector("text=No SLA applies to this case.")  # the panel, loaded by htmx


def test_it_refuses_a_looping_rule_with_a_message(page, live_server, world) -> None:
    login(page, live_server, "lena")
    for name, team, target in [("Out", world.support, world.commercial), ("Back", world.commercial, world.support)]:
        page.goto(f"{live_server.url}/routing/rules/new/")
        page.fill("#id_name", name)
        page.select_option("#id_team", str(team.pk))
        page.select_option("#id_set_team", str(target.pk))
        page.click("button:has-text('Save rule')")
    page.wait_for_selector("[role=alert]:has-text('circle')")
