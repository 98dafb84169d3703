"""The administrator's staff and team screens."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from anliegen import testing
from anliegen.accounts.models import Membership, Role, Team, TeamKind, User
from anliegen.routing.models import AgentSkill


@pytest.fixture
def admin(world) -> User:
    return testing.make_agent("ada", role=Role.ADMIN)


@pytest.fixture
def ada(admin) -> Client:
    client = Client()
    client.force_login(admin)
    return client


def test_it_creates_a_team_with_members_and_a_confidential_flag(ada, world):
    response = ada.post(reverse("accounts:team_new"), {
        "name": "Beschwerden Nord", "kind": TeamKind.SECOND_LEVEL, "confidential": "on", "default_language": "da",
        "members": [world.agent.pk], "team_leads": [world.teammate.pk],
    })
    team = Team.objects.get(name="Beschwerden Nord")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:team_edit", args=[team.pk])
    assert (team.slug, team.kind, team.confidential, team.default_language) == (
        "beschwerden-nord", TeamKind.SECOND_LEVEL, True, "da")
    assert dict(Membership.objects.filter(team=team).values_list("user__username", "is_team_lead")) == {
        "anna": False, "tom": True}

    # Changing the members takes one out; the page shows the team as saved.
    ada.post(reverse("accounts:team_edit", args=[team.pk]), {
        "name": "Beschwerden Nord", "kind": TeamKind.SUPPORT, "default_language": "da", "members": [world.agent.pk]})
    team.refresh_from_db()
    assert not team.confidential and team.kind == TeamKind.SUPPORT
    assert list(team.memberships.values_list("user__username", flat=True)) == ["anna"]


def test_it_refuses_a_team_name_twice_with_a_message(ada, world):
    response = ada.post(reverse("accounts:team_new"), {"name": world.support.name.upper(), "kind": "support",
                                                       "default_language": "de"})
    assert response.status_code == 400
    assert "exists already" in response.text
    assert Team.objects.filter(name__iexact=world.support.name).count() == 1


def test_it_creates_an_agent_who_signs_in_and_works_their_queue(ada, world):
    response = ada.post(reverse("accounts:staff_new"), {
        "username": "neu", "display_name": "Nele Neu", "email": "nele@anliegen.example", "role": Role.AGENT,
        "teams": [world.support.pk], "languages": ["de", "da"], "max_open_cases": "12", "is_active": "on",
        "password": "ein-langes-passwort-42",
    })
    person = User.objects.get(username="neu")
    assert response.status_code == 302
    assert (person.display_name, person.languages, person.max_open_cases, person.role) == (
        "Nele Neu", ["de", "da"], 12, Role.AGENT)
    assert list(person.teams.all()) == [world.support]

    nele = Client()
    assert nele.login(username="neu", password="ein-langes-passwort-42")
    queue = nele.get(reverse("tickets:queue", args=[world.support.slug]))
    assert queue.status_code == 200 and world.ticket.number in queue.text
    assert nele.get(reverse("tickets:case", args=[world.ticket.number])).status_code == 200
    assert nele.get(reverse("tickets:queue", args=[world.commercial.slug])).status_code == 404


def test_it_invites_a_new_agent_with_a_link_to_choose_a_password(ada, world):
    response = ada.post(reverse("accounts:staff_new"), {"username": "ivo", "role": Role.AGENT, "is_active": "on",
                                                        "teams": [world.support.pk], "languages": ["en"]},
                        follow=True)
    person = User.objects.get(username="ivo")
    assert not person.has_usable_password()
    link = re.search(r'value="(http[^"]+/accounts/set-password/[^"]+)"', response.text).group(1)

    guest = Client()
    form = guest.get(link, follow=True)  # the token moves into the session, as Django does
    assert "new_password1" in form.text
    done = guest.post(form.redirect_chain[-1][0], {"new_password1": "mein-neues-passwort-7",
                                                   "new_password2": "mein-neues-passwort-7"}, follow=True)
    assert done.status_code == 200
    person.refresh_from_db()
    assert person.check_password("mein-neues-passwort-7")
    assert guest.get(reverse("tickets:queue", args=[world.support.slug])).status_code == 200
    # The link works once.
    assert "no longer valid" in Client().get(link, follow=True).text


def test_it_deactivates_an_agent_and_changes_role_and_teams(ada, admin, world):
    url = reverse("accounts:staff_edit", args=[world.agent.pk])
    page = ada.get(url)
    assert page.status_code == 200 and 'value="anna"' in page.text
    assert reverse("routing:agent_skills", args=[world.agent.pk]) in page.text  # routing's skills section
    ada.post(url, {"username": "anna", "role": Role.LEAD, "teams": [world.commercial.pk], "languages": ["de"]})
    world.agent.refresh_from_db()
    assert not world.agent.is_active and world.agent.role == Role.LEAD
    assert list(world.agent.teams.all()) == [world.commercial]
    assert not Client().login(username="anna", password=testing.PASSWORD)

    # An administrator cannot lock themselves out.
    response = ada.post(reverse("accounts:staff_edit", args=[admin.pk]), {"username": "ada", "role": Role.AGENT,
                                                                         "is_active": "on"})
    assert response.status_code == 400 and "yourself" in response.text
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN


def test_it_refuses_a_taken_sign_in_name_and_a_weak_password(ada, world):
    taken = ada.post(reverse("accounts:staff_new"), {"username": "ANNA", "role": Role.AGENT, "is_active": "on"})
    assert taken.status_code == 400 and "is taken" in taken.text
    weak = ada.post(reverse("accounts:staff_new"), {"username": "kurz", "role": Role.AGENT, "password": "123"})
    assert weak.status_code == 400
    assert not User.objects.filter(username__in=["kurz"]).exists()


def test_it_saves_skills_from_the_agent_page(ada, world):
    url = reverse("routing:agent_skills", args=[world.agent.pk])
    response = ada.post(url, {"skills": "Router, glasfaser ,"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'value="glasfaser, router"' in response.text
    assert sorted(AgentSkill.objects.filter(user=world.agent).values_list("name", flat=True)) == [
        "glasfaser", "router"]


@pytest.mark.parametrize("name, args", [("accounts:staff", []), ("accounts:staff_new", []),
                                         ("accounts:teams", []), ("accounts:team_new", []),
                                         ("accounts:staff_edit", ["agent"]), ("accounts:team_edit", ["support"]),
                                         ("accounts:staff_invite", ["agent"]), ("routing:agent_skills", ["agent"])])
def test_it_keeps_the_staff_screens_from_agents_and_leads(client, world, name, args):
    url = reverse(name, args=[getattr(world, a).pk for a in args])
    for persona in ("agent", "lead") if not name.startswith("routing:") else ("agent",):
        client.force_login(getattr(world, persona))
        assert client.get(url).status_code == 403
        assert client.post(url, {"username": "x", "name": "x", "skills": "x"}).status_code == 403
    assert Team.objects.filter(name="x").count() == 0 and not User.objects.filter(username="x").exists()
