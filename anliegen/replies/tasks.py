"""Background work of the replies app."""

from django.tasks import task

from anliegen.replies import suggestions


@task()
def retrain_suggestions() -> int:
    """Learn again from the replies agents picked (periodic, see apps.py)."""
    return suggestions.retrain()
