"""Background work of the phone app, run by `anliegen worker` (django.tasks)."""

import logging

from django.tasks import task

log = logging.getLogger(__name__)


@task()
def remind_callbacks() -> int:
    """Periodic: remind teams of callbacks whose reminder time has passed."""
    from anliegen.phone.actions import send_callback_reminders

    try:
        return send_callback_reminders()
    except Exception:  # the worker keeps running; the next round tries again
        log.exception("callback reminder round failed")
        return 0
