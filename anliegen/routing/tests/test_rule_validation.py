"""Rules that would loop or undo each other get a clear message and are not saved."""

import pytest

from anliegen.routing import actions
from anliegen.routing.models import Rule
from anliegen.tickets.actions import ActionError


def test_it_refuses_a_rule_without_actions(world) -> None:
    with pytest.raises(ActionError, match="at least one action"):
        actions.save_rule(data={"name": "Nothing", "language": "de"})
    assert not Rule.objects.exists()


def test_it_refuses_two_rules_that_move_back_and_forth(world) -> None:
    actions.save_rule(data={"name": "Support to commercial", "team": world.support, "set_team": world.commercial})
    with pytest.raises(ActionError, match="circle") as exc:
        actions.save_rule(data={"name": "Commercial to support", "team": world.commercial, "set_team": world.support})
    assert "rule 1 moves it to Kaufmännischer Support" in str(exc.value)
    assert Rule.objects.count() == 1


def test_it_refuses_a_rule_for_any_team_that_leads_back(world) -> None:
    actions.save_rule(data={"name": "Calls to support", "channel": "phone", "set_team": world.support})
    with pytest.raises(ActionError, match="circle"):
        actions.save_rule(data={"name": "Support calls to commercial", "team": world.support,
                                "set_team": world.commercial})


def test_it_allows_moves_that_cannot_meet(world) -> None:
    actions.save_rule(data={"name": "Calls to support", "channel": "phone", "set_team": world.support})
    actions.save_rule(data={"name": "Support mails to commercial", "channel": "email", "team": world.support,
                            "set_team": world.commercial})
    assert Rule.objects.count() == 2


def test_it_refuses_a_later_rule_that_undoes_an_earlier_one(world) -> None:
    actions.save_rule(data={"name": "Urgent words", "subject_words": "störung", "set_priority": 4})
    with pytest.raises(ActionError, match="conflict"):
        actions.save_rule(data={"name": "Everything low", "set_priority": 1})
    # With "stop after this rule" on the first, the second is fine.
    first = Rule.objects.get()
    actions.save_rule(rule=first, data={"stop_processing": True})
    actions.save_rule(data={"name": "Everything low", "set_priority": 1})
    assert Rule.objects.count() == 2


def test_it_allows_a_chain_of_moves(world, second_level) -> None:
    actions.save_rule(data={"name": "A", "team": world.support, "set_team": world.commercial})
    actions.save_rule(data={"name": "B", "team": world.commercial, "set_team": second_level})
    assert Rule.objects.count() == 2


def test_it_orders_and_renumbers(world) -> None:
    a = actions.save_rule(data={"name": "A", "add_tags": "a"})
    b = actions.save_rule(data={"name": "B", "add_tags": "b"})
    c = actions.save_rule(data={"name": "C", "add_tags": "c"})
    actions.move_rule(rule=c, direction=-1)
    assert list(Rule.objects.values_list("name", flat=True)) == ["A", "C", "B"]
    actions.delete_rule(rule=a)
    assert list(Rule.objects.values_list("name", "position")) == [("C", 1), ("B", 2)]
    b.refresh_from_db()
    assert b.position == 2
