from django.db import models


class JobSchedule(models.Model):
    """When each periodic job (runtime.periodic) runs next; claimed with a conditional UPDATE."""

    name = models.CharField(max_length=100, unique=True)
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name
