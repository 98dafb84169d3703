"""Background work of the replies app."""

from django.tasks import task


@task()
def retrain_suggestions() -> int:
    """Learn again from the replies agents picked (periodic, see apps.py)."""
    # Imported here: scikit-learn takes seconds to load, and every process (web server,
    # worker, mail listener) starts this module whether or not it ever trains.
    from anliegen.replies import suggestions

    return suggestions.retrain()
