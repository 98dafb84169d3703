"""Periodic work for `anliegen worker` (registered in apps.py through anliegen.runtime.periodic)."""

import logging

from django.tasks import task

log = logging.getLogger(__name__)


@task
def check_slas() -> int:
    """Record SLA breaches and run their escalations; bad rows are logged and skipped."""
    from anliegen.routing.sla.compute import check_sla_breaches

    return check_sla_breaches()


@task
def retry_quality_care() -> int:
    """Book Quality-Care callbacks that could not be booked when the case was flagged."""
    from anliegen.routing.quality import retry_bookings

    return retry_bookings()
