from django.contrib.messages import get_messages
from django.urls import reverse

from anliegen import testing
from anliegen.tickets.models import Event, Priority, Status, Ticket


def _bulk(client, numbers, **changes):
    data = {"tickets": numbers, "next": "/mine/", **changes}
    return client.post(reverse("tickets:bulk"), data)


def _texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_it_sets_status_and_priority_on_every_ticked_case(anna, world):
    second = testing.make_ticket(team=world.support, subject="Zweiter Fall")
    response = _bulk(anna, [world.ticket.number, second.number], status=Status.PENDING, priority=str(Priority.HIGH))
    assert response.status_code == 302
    assert response["Location"] == "/mine/"
    assert "2 cases changed." in _texts(response)
    for ticket in (world.ticket, second):
        ticket.refresh_from_db()
        assert (ticket.status, ticket.priority) == (Status.PENDING, Priority.HIGH)
        assert Event.objects.filter(ticket=ticket, kind="status", actor=world.agent).exists()
        assert Event.objects.filter(ticket=ticket, kind="priority", actor=world.agent).exists()


def test_it_assigns_to_me_a_teammate_and_nobody(anna, world):
    _bulk(anna, [world.ticket.number], assignee="me")
    world.ticket.refresh_from_db()
    assert world.ticket.assignee == world.agent
    _bulk(anna, [world.ticket.number], assignee=str(world.teammate.pk))
    world.ticket.refresh_from_db()
    assert world.ticket.assignee == world.teammate
    response = _bulk(anna, [world.ticket.number], assignee="none")
    world.ticket.refresh_from_db()
    assert world.ticket.assignee is None
    assert "1 case changed." in _texts(response)
    assert Event.objects.filter(ticket=world.ticket, kind="assigned").count() == 3


def test_it_refuses_an_assignee_outside_the_teams(anna, world):
    response = _bulk(anna, [world.ticket.number], assignee=str(world.outsider.pk))
    assert "Choose a member of your teams." in _texts(response)
    world.ticket.refresh_from_db()
    assert world.ticket.assignee is None


def test_it_moves_to_a_visible_team_and_adds_a_tag(lena, world):
    response = _bulk(lena, [world.ticket.number], team=str(world.commercial.pk), add_tag="Rückruf")
    assert "1 case changed." in _texts(response)
    world.ticket.refresh_from_db()
    assert world.ticket.team == world.commercial
    assert list(world.ticket.tags.values_list("name", flat=True)) == ["rückruf"]


def test_it_moves_to_a_team_the_agent_is_not_in_and_says_they_no_longer_see_it(anna, world):
    response = _bulk(anna, [world.ticket.number], team=str(world.commercial.pk))
    texts = _texts(response)
    assert "1 case changed." in texts
    assert ("1 case is now with Kaufmännischer Support; you are not a member, so you can no longer see it."
            in texts)
    world.ticket.refresh_from_db()
    assert world.ticket.team == world.commercial


def test_it_refuses_a_team_that_does_not_exist(anna, world):
    response = _bulk(anna, [world.ticket.number], team="999999")
    assert "Choose one of the teams." in _texts(response)
    world.ticket.refresh_from_db()
    assert world.ticket.team == world.support


def test_it_refuses_cases_the_agent_may_not_see(anna, world):
    response = _bulk(anna, [world.ticket.number, world.other_ticket.number, world.confidential_ticket.number,
                            "A-999999", "kaputt"], priority=str(Priority.URGENT))
    texts = _texts(response)
    assert "1 case changed." in texts
    refused = [t for t in texts if "refused" in t]
    assert len(refused) == 1 and refused[0].startswith("4 cases were refused")
    assert world.other_ticket.number in refused[0]
    world.ticket.refresh_from_db()
    world.other_ticket.refresh_from_db()
    world.confidential_ticket.refresh_from_db()
    assert world.ticket.priority == Priority.URGENT
    assert world.other_ticket.priority == Priority.NORMAL
    assert world.confidential_ticket.priority == Priority.NORMAL


def test_it_reports_a_case_that_refuses_the_change(lena, world):
    # A merged case cannot be reopened: that case fails, the other changes.
    from anliegen.tickets.actions import merge_tickets

    merged = testing.make_ticket(team=world.support, customer=world.customer, subject="Router, zweiter Anruf")
    merge_tickets(source=merged, target=world.ticket, actor=world.agent)
    response = _bulk(lena, [world.ticket.number, merged.number], status=Status.OPEN)
    texts = _texts(response)
    assert "1 case changed." in texts
    assert any(t.startswith(f"{merged.number} was not changed") for t in texts)
    assert Ticket.objects.get(pk=merged.pk).status != Status.OPEN
    assert Ticket.objects.get(pk=world.ticket.pk).status == Status.OPEN


def test_it_refuses_a_confidential_case_to_a_lead_who_is_no_member(lena, world):
    response = _bulk(lena, [world.ticket.number, world.confidential_ticket.number], assignee=str(world.teammate.pk))
    texts = _texts(response)
    assert "1 case changed." in texts
    assert any(world.confidential_ticket.number in t and "may not see" in t for t in texts)
    assert Ticket.objects.get(pk=world.confidential_ticket.pk).assignee is None


def test_it_says_when_nothing_changed(anna, world):
    response = _bulk(anna, [world.ticket.number], status=Status.NEW)
    assert "1 case already was like that." in _texts(response)
    assert not Event.objects.filter(ticket=world.ticket, kind="status").exists()


def test_it_needs_a_ticked_case_and_a_change(anna, world):
    response = _bulk(anna, [], status=Status.OPEN)
    assert "Tick at least one case." in _texts(response)
    response = _bulk(anna, [world.ticket.number])
    assert "Choose at least one change to make." in _texts(response)
    world.ticket.refresh_from_db()
    assert world.ticket.status == Status.NEW


def test_it_goes_back_only_to_this_site(anna, world):
    response = anna.post(reverse("tickets:bulk"), {"tickets": [world.ticket.number], "status": Status.OPEN,
                                                  "next": "https://evil.example/"})
    assert response["Location"] == reverse("tickets:mine")


def test_it_takes_only_posts(anna, world):
    assert anna.get(reverse("tickets:bulk")).status_code == 405


def test_the_queue_renders_the_bulk_form_and_checkboxes(anna, world):
    response = anna.get(reverse("tickets:queue", args=[world.support.slug]))
    assert 'action="/bulk/"' in response.text
    assert f'name="tickets" value="{world.ticket.number}" form="bulk"' in response.text
    assert "data-select-all" in response.text


def test_a_case_refuses_an_assignee_from_another_of_the_teams_and_keeps_its_other_changes(lena, world):
    # Tom may be given support's cases, not commercial's: that case is left entirely as it was.
    response = _bulk(lena, [world.ticket.number, world.other_ticket.number], assignee=str(world.teammate.pk),
                     priority=str(Priority.HIGH))
    texts = _texts(response)
    assert "1 case changed." in texts
    assert f"{world.other_ticket.number} was not changed: Tom is not a member of Kaufmännischer Support and " \
           "cannot be assigned its cases." in texts
    other = Ticket.objects.get(pk=world.other_ticket.pk)
    assert (other.assignee, other.priority) == (None, Priority.NORMAL)
    assert not Event.objects.filter(ticket=world.other_ticket).exclude(kind="created").exists()
    changed = Ticket.objects.get(pk=world.ticket.pk)
    assert (changed.assignee, changed.priority) == (world.teammate, Priority.HIGH)
