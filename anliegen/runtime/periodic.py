"""Periodic jobs for `anliegen worker`: feature apps register a task and an interval; the
scheduler thread enqueues each task when it is due. Several workers may run at once: a
job is enqueued only by the worker that wins a conditional UPDATE on its schedule row, so
each run happens once however many workers there are."""

import datetime
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.db import close_old_connections, transaction
from django.utils import timezone

from anliegen.runtime.models import JobSchedule

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    task: Any  # a django.tasks Task
    every: datetime.timedelta


_jobs: dict[str, Job] = {}


def register(name: str, task: Any, every: datetime.timedelta) -> None:
    _jobs[name] = Job(name=name, task=task, every=every)


def jobs() -> list[Job]:
    return list(_jobs.values())


def run_due(now: datetime.datetime | None = None) -> list[str]:
    """Enqueue every job whose time has come; return the names enqueued."""
    now = now or timezone.now()
    started = []
    for job in jobs():
        JobSchedule.objects.get_or_create(name=job.name, defaults={"next_run_at": now})
        with transaction.atomic():
            claimed = JobSchedule.objects.filter(name=job.name, next_run_at__lte=now).update(
                next_run_at=now + job.every, last_run_at=now
            )
        if claimed:
            try:
                job.task.enqueue()
                started.append(job.name)
            except Exception:  # a broken job must not stop the others
                log.exception("could not enqueue periodic job %s", job.name)
    return started


def _loop(interval: float) -> None:
    while True:
        try:
            close_old_connections()
            run_due()
        except Exception:
            log.exception("periodic scheduler round failed")
        finally:
            close_old_connections()
        time.sleep(interval)


def start_scheduler(interval: float = 5.0) -> threading.Thread:
    thread = threading.Thread(target=_loop, args=(interval,), name="anliegen-periodic", daemon=True)
    thread.start()
    return thread
