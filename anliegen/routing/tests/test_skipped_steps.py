"""Routing steps left out when the configuration already read shows they have nothing to do;
never on a guess: without that configuration every step runs."""

import datetime

from anliegen import testing
from anliegen.lib import readcache
from anliegen.routing import assignment, engine, quality
from anliegen.routing.models import AssignmentMode, RoutingSettings, TeamRouting


def test_without_the_configuration_every_step_runs(world) -> None:
    ticket = testing.make_ticket(team=world.support, customer=world.customer)
    assert readcache.peek("routing.rules") is None
    assert not assignment.nothing_to_assign(ticket)
    assert not quality.surely_not_quality_care(ticket)


def test_steps_with_nothing_to_do_are_known_from_the_configuration(world) -> None:
    ticket = testing.make_ticket(team=world.support, customer=world.customer)
    with readcache.scope():
        assert engine.active_rules() == [] and readcache.peek("routing.rules") == []
        assignment.routed_teams()
        RoutingSettings.load()
        assert assignment.nothing_to_assign(ticket)
        assert quality.surely_not_quality_care(ticket)
        TeamRouting.objects.create(team=world.support, mode=AssignmentMode.ROUND_ROBIN)
        assert not assignment.nothing_to_assign(ticket)  # the new row dropped what was read
        world.customer.customer_since = datetime.date(2000, 1, 1)
        assert not quality.surely_not_quality_care(ticket)
