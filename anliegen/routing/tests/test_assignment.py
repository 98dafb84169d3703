"""Assignment per team: manual, round robin, least loaded, language, skills, availability, cap."""

from anliegen import testing
from anliegen.accounts.models import Availability
from anliegen.routing import actions
from anliegen.routing.models import AssignmentMode, TeamRouting
from anliegen.tickets import actions as ticket_actions
from anliegen.tickets.models import Event


def new_case(world, n: int, **kwargs):
    ticket = testing.make_ticket(team=world.support, customer=testing.make_customer(f"Kunde {n}"),
                                 subject=f"Anliegen {n}", text=f"Text {n}", **kwargs)
    ticket.refresh_from_db()
    return ticket


def test_it_leaves_manual_teams_alone(world) -> None:
    actions.configure_team_routing(team=world.support, mode=AssignmentMode.MANUAL, match_language=True,
                                   match_skills=False)
    assert new_case(world, 1).assignee is None


def test_it_takes_turns_in_round_robin(world) -> None:
    actions.configure_team_routing(team=world.support, mode=AssignmentMode.ROUND_ROBIN, match_language=False,
                                   match_skills=False)
    assignees = [new_case(world, n).assignee for n in range(4)]
    assert assignees == [world.agent, world.teammate, world.agent, world.teammate]
    event = Event.objects.filter(field="assignee", actor_label="routing").last()
    assert "round robin" in event.reason
    assert TeamRouting.objects.get(team=world.support).last_assigned == world.teammate


def test_it_gives_the_least_loaded_agent_weighting_priority(world) -> None:
    actions.configure_team_routing(team=world.support, mode=AssignmentMode.LEAST_LOADED, match_language=False,
                                   match_skills=False)
    # anna has one urgent case (weight 5), tom two normal ones (weight 2 each).
    urgent = new_case(world, 1)
    ticket_actions.assign_ticket(ticket=urgent, assignee=world.agent, actor=world.lead)
    ticket_actions.set_priority(ticket=urgent, priority=4, actor=world.lead)
    for n in (2, 3):
        case = new_case(world, n)
        ticket_actions.assign_ticket(ticket=case, assignee=world.teammate, actor=world.lead)
    assert new_case(world, 4).assignee == world.teammate


def test_it_skips_away_offline_and_capped_agents(world) -> None:
    actions.configure_team_routing(team=world.support, mode=AssignmentMode.ROUND_ROBIN, match_language=False,
                                   match_skills=False)
    world.agent.availability = Availability.AWAY
    world.agent.save()
    assert [new_case(world, n).assignee for n in range(2)] == [world.teammate, world.teammate]
    world.teammate.max_open_cases = 2
    world.teammate.save()
    assert new_case(world, 3).assignee is None  # anna away, tom at his cap
    world.agent.availability = Availability.OFFLINE
    world.agent.save()
    assert new_case(world, 4).assignee is None


def test_it_prefers_agents_who_speak_the_language(world) -> None:
    world.teammate.languages = ["da", "de"]
    world.teammate.save()
    actions.configure_team_routing(team=world.support, mode=AssignmentMode.ROUND_ROBIN, match_language=True,
                                   match_skills=False)
    assert [new_case(world, n, language="da").assignee for n in range(2)] == [world.teammate, world.teammate]
    # Nobody speaks French: anyone available gets it, and the reason says so.
    case = new_case(world, 3, language="fr")
    assert case.assignee is not None
    assert "nobody available speaks fr" in Event.objects.filter(ticket=case, field="assignee").get().reason


def test_it_prefers_agents_with_matching_skills(world) -> None:
    actions.set_agent_skills(user=world.teammate, skills=["Router", " glasfaser "])
    actions.configure_team_routing(team=world.support, mode=AssignmentMode.ROUND_ROBIN, match_language=False,
                                   match_skills=True)
    assert new_case(world, 1, tags=["router"]).assignee == world.teammate
    assert new_case(world, 2, tags=["router"]).assignee == world.teammate
    assert sorted(world.teammate.skills.values_list("name", flat=True)) == ["glasfaser", "router"]


def test_it_assigns_cases_moved_into_the_team(world) -> None:
    actions.configure_team_routing(team=world.commercial, mode=AssignmentMode.ROUND_ROBIN, match_language=False,
                                   match_skills=False)
    case = new_case(world, 1)
    ticket_actions.move_to_team(ticket=case, team=world.commercial, actor=world.agent)
    case.refresh_from_db()
    assert case.assignee == world.outsider
