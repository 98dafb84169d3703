"""An agent moves a case to any team (a misrouted billing case is not stuck in technical
support); afterwards they see it only if they are a member of that team, and are told so."""

import pytest
from django.urls import reverse

from anliegen import testing
from anliegen.testing import PASSWORD
from anliegen.tickets import actions as ticket_actions
from anliegen.tickets.models import Event, Status
from conftest import login

FIELDS = "tickets:fields"


def _post(client, ticket, team, assignee=""):
    return client.post(reverse(FIELDS, args=[ticket.number]), {
        "status": ticket.status, "priority": ticket.priority, "team": str(team.pk), "assignee": assignee,
    })


def _flash(client):
    return [str(m) for m in client.get(reverse("tickets:mine")).context["messages"]]


def test_it_offers_every_team_own_teams_first(client, world):
    client.login(username="anna", password=PASSWORD)
    form = client.get(reverse("tickets:case", args=[world.ticket.number])).context["fields_form"]
    groups = dict(form.fields["team"].choices)
    assert [label for _pk, label in groups["Your teams"]] == ["Technischer Support"]
    assert {label for _pk, label in groups["Other teams"]} >= {"Kaufmännischer Support", "Leistungsfälle"}


def test_it_moves_a_case_to_a_team_the_agent_is_not_in(client, world):
    # Anna had the case herself; she may not work commercial's cases, so it leaves her with the move.
    ticket_actions.assign_ticket(ticket=world.ticket, assignee=world.agent, actor=world.agent)
    client.login(username="anna", password=PASSWORD)
    response = _post(client, world.ticket, world.commercial, assignee=str(world.agent.pk))
    assert response.status_code == 302 and response.url == reverse("tickets:mine")
    world.ticket.refresh_from_db()
    assert world.ticket.team == world.commercial and world.ticket.assignee is None
    assert Event.objects.filter(ticket=world.ticket, kind="assigned").last().after is None
    event = Event.objects.get(ticket=world.ticket, kind="moved")
    assert (event.actor, event.before, event.after) == (world.agent, world.support.pk, world.commercial.pk)
    assert _flash(client) == [f"{world.ticket.number} was moved to Kaufmännischer Support. You are not a member "
                              "of Kaufmännischer Support, so you can no longer see the case."]
    assert client.get(reverse("tickets:case", args=[world.ticket.number])).status_code == 404
    # The receiving team works it.
    client.login(username="olga", password=PASSWORD)
    assert client.get(reverse("tickets:case", args=[world.ticket.number])).status_code == 200


def test_a_member_of_both_teams_keeps_the_case(client, world):
    testing.add_member(team=world.commercial, user=world.agent)
    client.login(username="anna", password=PASSWORD)
    response = _post(client, world.ticket, world.commercial)
    assert response.url == reverse("tickets:case", args=[world.ticket.number])
    messages = [str(m) for m in client.get(response.url).context["messages"]]
    assert messages == [f"{world.ticket.number} was moved to Kaufmännischer Support; you still see it as a "
                        "member of Kaufmännischer Support."]


def test_it_moves_a_case_into_a_confidential_team_and_out_of_sight(client, world):
    client.login(username="anna", password=PASSWORD)
    _post(client, world.ticket, world.confidential)
    world.ticket.refresh_from_db()
    assert world.ticket.team == world.confidential and world.ticket.status == Status.NEW
    assert client.get(reverse("tickets:case", args=[world.ticket.number])).status_code == 404


def test_it_refuses_a_team_that_does_not_exist(client, world):
    client.login(username="anna", password=PASSWORD)
    response = client.post(reverse(FIELDS, args=[world.ticket.number]), {
        "status": "new", "priority": world.ticket.priority, "team": "999999", "assignee": ""})
    assert response.status_code == 400
    world.ticket.refresh_from_db()
    assert world.ticket.team == world.support


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_hands_a_misrouted_case_to_another_team_in_the_browser(page, live_server, world):
    login(page, live_server, "anna")
    page.wait_for_selector("nav.sidebar")
    page.goto(f"{live_server.url}/cases/{world.ticket.number}/")
    page.select_option("#id_team", label="Kaufmännischer Support")
    page.screenshot(path="/tmp/workflow-move-choose.png", full_page=True)
    page.click("form[action$='/fields/'] button[type=submit]")
    page.wait_for_selector("text=so you can no longer see the case")
    assert page.url.endswith("/mine/")
    page.screenshot(path="/tmp/workflow-move-done.png", full_page=True)
    world.ticket.refresh_from_db()
    assert world.ticket.team == world.commercial
