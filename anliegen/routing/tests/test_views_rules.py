"""The rules page: leads edit rules in the browser-facing forms, see validation messages, dry run."""

from anliegen import testing
from anliegen.routing.models import AssignmentMode, RoutingSettings, Rule, TeamRouting


def login(client, username: str) -> None:
    assert client.login(username=username, password=testing.PASSWORD)


def test_it_is_for_leads_only(client, world) -> None:
    login(client, "anna")
    assert client.get("/routing/rules/").status_code == 403
    assert client.post("/routing/rules/new/", {"name": "x", "add_tags": "x"}).status_code == 403
    assert not Rule.objects.exists()
    client.logout()
    assert client.get("/routing/rules/").status_code == 302


def test_it_creates_a_rule(client, world) -> None:
    login(client, "lena")
    response = client.post("/routing/rules/new/", {"name": "Danish", "active": "on", "language": "da",
                                                   "set_team": world.commercial.pk})
    assert response.status_code == 302
    rule = Rule.objects.get()
    assert (rule.name, rule.language, rule.set_team, rule.position) == ("Danish", "da", world.commercial, 1)
    page = client.get("/routing/rules/")
    assert page.status_code == 200 and "Danish" in page.content.decode()


def test_it_shows_why_a_rule_is_refused(client, world) -> None:
    login(client, "lena")
    client.post("/routing/rules/new/", {"name": "A", "active": "on", "team": world.support.pk,
                                        "set_team": world.commercial.pk})
    response = client.post("/routing/rules/new/", {"name": "B", "active": "on", "team": world.commercial.pk,
                                                   "set_team": world.support.pk})
    assert response.status_code == 400
    assert "circle" in response.content.decode()
    response = client.post("/routing/rules/new/", {"name": "Nothing", "active": "on"})
    assert response.status_code == 400 and "at least one action" in response.content.decode()
    assert Rule.objects.count() == 1


def test_it_edits_moves_and_deletes(client, world) -> None:
    login(client, "lena")
    for name in ("A", "B"):
        client.post("/routing/rules/new/", {"name": name, "active": "on", "add_tags": name.lower()})
    a, b = Rule.objects.all()
    assert client.post(f"/routing/rules/{a.pk}/", {"name": "A2", "active": "on", "add_tags": "a"}).status_code == 302
    assert client.post(f"/routing/rules/{b.pk}/up/").status_code == 302
    assert list(Rule.objects.values_list("name", flat=True)) == ["B", "A2"]
    assert client.post(f"/routing/rules/{b.pk}/delete/").status_code == 302
    assert list(Rule.objects.values_list("name", "position")) == [("A2", 1)]
    assert client.get("/routing/rules/999/").status_code == 404


def test_it_dry_runs_a_case_by_number(client, world) -> None:
    login(client, "lena")
    client.post("/routing/rules/new/", {"name": "Router", "active": "on", "subject_words": "router",
                                        "add_tags": "router"})
    response = client.get("/routing/dry-run/", {"number": world.ticket.number})
    text = response.content.decode()
    assert response.status_code == 200
    assert "would match rule 1" in text and "words in subject" in text
    response = client.get("/routing/dry-run/", {"number": "A-999999"})
    assert response.status_code == 400 and "no case A-999999" in response.content.decode()


def test_it_saves_team_assignment_skills_and_settings(client, world) -> None:
    login(client, "lena")
    prefix = f"t{world.support.pk}"
    assert client.post(f"/routing/teams/{world.support.pk}/", {f"{prefix}-mode": "round_robin",
                                                               f"{prefix}-match_skills": "on"}).status_code == 302
    config = TeamRouting.objects.get(team=world.support)
    assert (config.mode, config.match_language, config.match_skills) == (AssignmentMode.ROUND_ROBIN, False, True)
    assert client.post("/routing/skills/", {"user": world.agent.pk, "skills": "router, app"}).status_code == 302
    assert sorted(world.agent.skills.values_list("name", flat=True)) == ["app", "router"]
    response = client.post("/routing/settings/", {"repeat_threshold": 4, "repeat_window_days": 14,
                                                  "repeat_min_score": 0.2, "quality_care_years": 3,
                                                  "quality_care_hours": 8, "complaint_words": "beschwerde"})
    assert response.status_code == 302
    assert RoutingSettings.load().repeat_threshold == 4
    response = client.post("/routing/settings/", {"repeat_threshold": 1, "repeat_window_days": 14,
                                                  "repeat_min_score": 0.2, "quality_care_years": 3,
                                                  "quality_care_hours": 8, "complaint_words": ""})
    assert response.status_code == 400 and "at least two" in response.content.decode()
    assert RoutingSettings.load().repeat_threshold == 4
