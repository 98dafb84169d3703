"""Background work of the notifications app, run by `anliegen worker` (django.tasks)."""

import datetime
import logging

from django.db import transaction
from django.tasks import task
from django.utils import timezone

log = logging.getLogger(__name__)


def sla_warnings(*, now: datetime.datetime | None = None) -> int:
    """Tell each assignee whose case's SLA falls due within two hours, once per case, target
    and due time (a new due time after the case was paused is a new warning)."""
    from anliegen.notifications.actions import notify
    from anliegen.notifications.models import Kind
    from anliegen.routing.sla.compute import about_to_breach

    told = 0
    for ticket, target, due_at in about_to_breach(now=now or timezone.now()):
        try:
            with transaction.atomic():
                if notify(recipient=ticket.assignee, kind=Kind.SLA_WARNING, ticket=ticket,
                          key=f"sla:{ticket.pk}:{target}:{due_at.isoformat()}",
                          detail={"target": target, "due_at": due_at.isoformat()}):
                    told += 1
        except Exception:  # one bad row must not stop the others or the worker
            log.exception("SLA warning for case %s failed", ticket.pk)
    return told


@task()
def warn_slas() -> int:
    """Periodic: SLA warnings."""
    try:
        return sla_warnings()
    except Exception:
        log.exception("SLA warning round failed")
        return 0
