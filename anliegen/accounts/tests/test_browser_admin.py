"""An administrator sets up a department in the browser; the new agent signs in and works."""

import pytest

from anliegen import testing
from anliegen.accounts.models import Role, Team, User
from conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_sets_up_a_team_and_an_agent_who_then_works_the_queue(new_page, live_server, world):
    testing.make_agent("ada", role=Role.ADMIN)
    admin = new_page()
    login(admin, live_server, "ada")
    admin.click("[data-nav=teams]")
    admin.click("text=Add a team")
    admin.fill("#id_name", "Reklamationen")
    admin.select_option("#id_kind", "support")
    admin.select_option("#id_default_language", "de")
    admin.click("button:text('Save')")
    admin.wait_for_selector("text=The team Reklamationen was saved.")
    team = Team.objects.get(name="Reklamationen")
    case = testing.make_ticket(team=team, subject="Gerät kam beschädigt an")

    admin.click("[data-nav=staff]")
    admin.click("text=Add a person")
    admin.fill("#id_username", "rita")
    admin.fill("#id_display_name", "Rita Reklamation")
    admin.check(f"#id_teams input[value='{team.pk}']")
    admin.check("#id_languages input[value='da']")
    admin.fill("#id_max_open_cases", "15")
    admin.fill("#id_password", "ein-sicheres-passwort-9")
    admin.screenshot(path="/tmp/team-staff-form.png", full_page=True)
    admin.click("form.stack button:text('Save')")
    admin.wait_for_selector("text=Rita Reklamation was saved.")
    admin.wait_for_selector("#staff-panel-skills input[name=skills]")
    admin.fill("#staff-panel-skills input[name=skills]", "reklamation, transport")
    admin.click("#staff-panel-skills button")
    admin.wait_for_selector("#staff-panel-skills [role=status]")
    rita = User.objects.get(username="rita")
    assert rita.max_open_cases == 15 and list(rita.teams.all()) == [team]
    assert sorted(rita.skills.values_list("name", flat=True)) == ["reklamation", "transport"]
    admin.click("[data-nav=staff]")
    admin.screenshot(path="/tmp/team-staff-list.png", full_page=True)

    agent = new_page()
    login(agent, live_server, "rita", "ein-sicheres-passwort-9")
    agent.click("nav.sidebar >> text=Reklamationen")
    agent.click(f"text={case.subject}")
    agent.wait_for_selector("h1")
    assert agent.locator("h1").inner_text().endswith(case.subject)
    assert "Routing rules" not in agent.locator("nav.sidebar").inner_text()
