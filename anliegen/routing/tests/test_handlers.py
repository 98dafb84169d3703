"""Routing's hooks never cost a case: a failing step is logged and the others still run."""

from anliegen import testing
from anliegen.routing import actions, engine
from anliegen.routing.models import AssignmentMode, CaseSLA
from anliegen.tickets.models import Ticket


def test_it_keeps_the_case_when_a_routing_step_fails(world, policy, monkeypatch, caplog) -> None:
    actions.configure_team_routing(team=world.support, mode=AssignmentMode.ROUND_ROBIN, match_language=False,
                                   match_skills=False)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("rules exploded")

    monkeypatch.setattr(engine, "apply_rules", broken)
    ticket = testing.make_ticket(team=world.support, customer=world.customer, subject="Trotzdem", text="da")
    assert Ticket.objects.filter(pk=ticket.pk).exists()
    ticket.refresh_from_db()
    assert ticket.assignee == world.agent  # the next steps ran
    assert CaseSLA.objects.filter(ticket=ticket, policy=policy).exists()
    assert "rules exploded" in caplog.text


def test_it_rolls_back_only_the_failed_step(world, monkeypatch) -> None:
    actions.save_rule(data={"name": "Tag", "add_tags": "tagged"})
    from anliegen.routing import repeat

    def broken(ticket: Ticket, message: object) -> None:
        from anliegen.tickets import actions as ticket_actions

        ticket_actions.tag_ticket(ticket=ticket, add=["half-done"], actor=None)
        raise RuntimeError("repeat exploded")

    monkeypatch.setattr(repeat, "record_new_case", broken)
    ticket = testing.make_ticket(team=world.support, customer=world.customer, subject="x", text="y")
    assert list(ticket.tags.values_list("name", flat=True)) == ["tagged"]
