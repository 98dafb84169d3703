import datetime

import pytest
from django.utils import timezone

from anliegen.runtime import periodic
from anliegen.runtime.models import JobSchedule


class FakeTask:
    def __init__(self) -> None:
        self.enqueued = 0

    def enqueue(self) -> None:
        self.enqueued += 1


@pytest.fixture
def job(monkeypatch):
    monkeypatch.setattr(periodic, "_jobs", {})
    task = FakeTask()
    periodic.register("sample", task, every=datetime.timedelta(minutes=5))
    return task


def test_it_runs_a_due_job_once_per_interval(db, job):
    now = timezone.now()
    assert periodic.run_due(now) == ["sample"]
    assert periodic.run_due(now + datetime.timedelta(minutes=1)) == []
    assert periodic.run_due(now + datetime.timedelta(minutes=5)) == ["sample"]
    assert job.enqueued == 2
    assert JobSchedule.objects.get(name="sample").last_run_at == now + datetime.timedelta(minutes=5)


def test_it_lets_only_one_of_several_workers_claim_a_run(db, job):
    now = timezone.now()
    periodic.run_due(now)
    later = now + datetime.timedelta(minutes=6)
    # Two workers looking at the same moment: the conditional UPDATE lets one win.
    assert periodic.run_due(later) == ["sample"]
    assert periodic.run_due(later) == []
    assert job.enqueued == 2


def test_it_survives_a_job_that_cannot_be_enqueued(db, monkeypatch):
    monkeypatch.setattr(periodic, "_jobs", {})

    class Broken:
        def enqueue(self) -> None:
            raise RuntimeError("queue unavailable")

    good = FakeTask()
    periodic.register("broken", Broken(), every=datetime.timedelta(minutes=1))
    periodic.register("good", good, every=datetime.timedelta(minutes=1))
    assert periodic.run_due() == ["good"]
    assert good.enqueued == 1
