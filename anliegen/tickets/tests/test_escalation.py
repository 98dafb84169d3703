"""Escalating to second level hands the case to the second-level team (its queue and weekly
review) while the team it came from still follows it; "back to first level" lowers the level
and returns it, each as an action with a history event."""

import pytest
from django.urls import reverse

from anliegen import testing
from anliegen.accounts.models import TeamKind
from anliegen.routing.actions import record_review_outcome
from anliegen.testing import PASSWORD
from anliegen.tickets import actions
from anliegen.tickets.actions import ActionError
from anliegen.tickets.models import Event, Level
from conftest import login


@pytest.fixture
def second(world):
    team = testing.make_team("Second Level", kind=TeamKind.SECOND_LEVEL)
    testing.make_agent("katrin", teams=[team])
    return team


def test_it_hands_a_case_escalated_to_second_level_to_the_second_level_team(world, second):
    actions.assign_ticket(ticket=world.ticket, assignee=world.agent, actor=world.agent)
    actions.escalate_ticket(ticket=world.ticket, reason="Dritter Anruf ohne Lösung", actor=world.agent)
    world.ticket.refresh_from_db()
    assert (world.ticket.level, world.ticket.team, world.ticket.escalated_from) == (Level.SECOND, second,
                                                                                     world.support)
    assert world.ticket.assignee is None  # not a member of second level
    kinds = list(Event.objects.filter(ticket=world.ticket).values_list("kind", "field"))
    assert ("escalated", "level") in kinds and ("moved", "team") in kinds


def test_the_second_level_agent_sees_it_in_queue_and_review_and_the_first_level_team_follows(client, world, second):
    actions.escalate_ticket(ticket=world.ticket, reason="Dritter Anruf ohne Lösung", actor=world.agent)
    client.login(username="katrin", password=PASSWORD)
    assert world.ticket.number in client.get(reverse("tickets:queue", args=[second.slug])).text
    assert world.ticket.number in client.get(reverse("routing:review")).text
    for username in ("anna", "tom"):  # the team it came from
        client.login(username=username, password=PASSWORD)
        assert client.get(reverse("tickets:case", args=[world.ticket.number])).status_code == 200
    client.login(username="olga", password=PASSWORD)  # another team does not
    assert client.get(reverse("tickets:case", args=[world.ticket.number])).status_code == 404


def test_a_confidential_case_stays_with_its_team(world, second):
    actions.escalate_ticket(ticket=world.confidential_ticket, reason="Komplex", actor=world.confidential_member)
    world.confidential_ticket.refresh_from_db()
    assert world.confidential_ticket.level == Level.SECOND
    assert world.confidential_ticket.team == world.confidential and world.confidential_ticket.escalated_from is None


def test_back_to_first_level_lowers_the_level_and_returns_the_case(world, second):
    actions.escalate_ticket(ticket=world.ticket, reason="Dritter Anruf", actor=world.agent)
    katrin = second.members.get()
    record_review_outcome(ticket=world.ticket, author=katrin, outcome="back", next_step="Router tauschen")
    world.ticket.refresh_from_db()
    assert (world.ticket.level, world.ticket.team, world.ticket.escalated_from) == (Level.FIRST, world.support,
                                                                                     None)
    event = Event.objects.get(ticket=world.ticket, kind="deescalated")
    assert (event.actor, event.before, event.after, event.reason) == (katrin, "second", "first", "Router tauschen")


def test_it_refuses_to_lower_a_case_already_at_first_level(world):
    with pytest.raises(ActionError):
        actions.deescalate_ticket(ticket=world.ticket, reason="?", actor=world.agent)
    with pytest.raises(ActionError):
        actions.deescalate_ticket(ticket=world.ticket, reason=" ", actor=world.agent)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_escalation_and_back_to_first_level_through_the_screens(new_page, live_server, world, second):
    anna = new_page()
    login(anna, live_server, "anna")
    anna.wait_for_selector("nav.sidebar")
    anna.goto(f"{live_server.url}/cases/{world.ticket.number}/")
    anna.select_option("#id_level", "second")
    anna.fill("#id_reason", "Dritter Anruf ohne Lösung")
    anna.click("form[action$='/escalate/'] button[type=submit]")
    anna.wait_for_selector("text=The case was escalated.")
    assert "Second Level" in anna.inner_text("body")  # she still follows it

    katrin = new_page()
    login(katrin, live_server, "katrin")
    katrin.wait_for_selector("nav.sidebar")
    katrin.goto(f"{live_server.url}/queues/{second.slug}/")
    katrin.wait_for_selector(f"tr[data-case='{world.ticket.number}']")
    katrin.goto(f"{live_server.url}/routing/review/")
    row = f"#review-{world.ticket.number}"
    katrin.wait_for_selector(row)
    katrin.select_option(f"{row} select", "back")
    katrin.fill(f"{row} input[type=text]", "Router tauschen")
    katrin.screenshot(path="/tmp/workflow-review-back.png", full_page=True)
    katrin.click(f"{row} button[type=submit]")
    katrin.wait_for_selector(f"text={world.ticket.number} is back at first level, with Technischer Support.")
    assert katrin.locator(row).count() == 0
    world.ticket.refresh_from_db()
    assert (world.ticket.level, world.ticket.team) == (Level.FIRST, world.support)
    anna.goto(f"{live_server.url}/cases/{world.ticket.number}/")
    history = anna.inner_text("ul.history")
    assert "Level lowered" in history and "Router tauschen" in history
    anna.screenshot(path="/tmp/workflow-review-history.png", full_page=True)
