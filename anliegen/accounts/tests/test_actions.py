"""The accounts actions: teams, staff, memberships and preferences."""

from anliegen.accounts import actions
from anliegen.accounts.models import Membership, Role, TeamKind
from anliegen.tickets.access import member_team_ids


def test_it_creates_a_team_with_a_slug(db):
    team = actions.create_team(name="Kaufmännischer Support", kind=TeamKind.SUPPORT, confidential=True,
                               default_language="da")
    assert (team.slug, team.kind, team.confidential, team.default_language) == (
        "kaufmannischer-support", "support", True, "da")


def test_it_creates_staff_with_their_teams_and_role(db):
    team = actions.create_team(name="Empfang", kind=TeamKind.RECEPTION)
    agent = actions.create_staff(username="petra", password="geheim-genug-1", display_name="Petra",
                                 languages=["de", "da"], teams=[team])
    assert agent.check_password("geheim-genug-1")
    assert (agent.role, agent.is_lead, agent.is_staff, agent.languages, str(agent)) == (
        Role.AGENT, False, False, ["de", "da"], "Petra")
    assert list(Membership.objects.filter(user=agent).values_list("team__slug", flat=True)) == ["empfang"]
    admin = actions.create_staff(username="admin", password=None, role=Role.ADMIN)
    assert (admin.is_lead, admin.is_admin, admin.is_staff, admin.has_usable_password()) == (True, True, True, False)


def test_adding_a_member_twice_keeps_one_membership_and_the_teams_are_read_anew(db):
    first = actions.create_team(name="Technischer Support")
    second = actions.create_team(name="Second Level", kind=TeamKind.SECOND_LEVEL)
    agent = actions.create_staff(username="anna", password=None, teams=[first])
    assert member_team_ids(agent) == [first.pk]
    actions.add_member(team=second, user=agent, is_team_lead=True)
    actions.add_member(team=second, user=agent)
    assert sorted(member_team_ids(agent)) == sorted([first.pk, second.pk])
    assert Membership.objects.get(team=second, user=agent).is_team_lead is True
    assert Membership.objects.filter(user=agent).count() == 2


def test_it_updates_preferences(db):
    agent = actions.create_staff(username="tom", password=None)
    actions.update_preferences(user=agent, ui_language="da", availability="away")
    agent.refresh_from_db()
    assert (agent.ui_language, agent.availability) == ("da", "away")
