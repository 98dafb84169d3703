"""Periodic work: the tasks are registered with the worker's scheduler and run safely."""

from anliegen import testing
from anliegen.runtime import periodic
from anliegen.routing import tasks
from anliegen.routing.models import CaseSLA

from .conftest import berlin


def test_it_registers_the_periodic_jobs() -> None:
    names = {job.name for job in periodic.jobs()}
    assert {"routing.check_slas", "routing.retry_quality_care"} <= names


def test_it_checks_slas_through_the_task(world, policy, clock) -> None:
    ticket = testing.make_ticket(team=world.support, customer=world.customer, subject="x", text="x")
    clock.set(berlin(2026, 11, 24, 12))
    assert tasks.check_slas.call() == 2
    assert CaseSLA.objects.get(ticket=ticket).resolution_breached_at is not None
    assert tasks.retry_quality_care.call() == 0


def test_it_enqueues_through_the_scheduler(world, settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    started = periodic.run_due()
    assert "routing.check_slas" in started
