"""Background work of the mail app, run by `anliegen worker` (django.tasks):

- send_outbox: send due outbox rows (enqueued after each reply commits, and periodically for
  retries);
- poll_mailboxes: fetch new mail from every enabled IMAP mailbox (periodically).
"""

import datetime
import logging

from django.conf import settings
from django.tasks import task

log = logging.getLogger(__name__)


@task()
def send_outbox() -> dict[str, int]:
    """Send every due outbox row; a failure is recorded on its row, never raised."""
    from anliegen.mail.outbound import send_due

    try:
        summary = send_due()
    except Exception:  # the worker keeps running; the next round tries again
        log.exception("outbox round failed")
        return {"sent": 0, "retrying": 0, "failed": 0}
    return {"sent": summary.sent, "retrying": summary.retrying, "failed": summary.failed}


@task()
def poll_mailboxes() -> dict[str, int]:
    """Poll every enabled IMAP mailbox once."""
    from anliegen.mail.imap import poll_all

    try:
        results = poll_all()
    except Exception:
        log.exception("mail poll round failed")
        return {"mailboxes": 0, "fetched": 0, "errors": 1}
    return {
        "mailboxes": len(results),
        "fetched": sum(r.fetched for r in results),
        "errors": sum(1 for r in results if r.errors),
    }


def register_periodic() -> None:
    from anliegen.runtime import periodic

    poll_every = int(settings.MAIL_POLL_SECONDS)
    send_every = int(settings.MAIL_SEND_SECONDS)
    periodic.register("mail.poll_mailboxes", poll_mailboxes, every=datetime.timedelta(seconds=max(5, poll_every)))
    periodic.register("mail.send_outbox", send_outbox, every=datetime.timedelta(seconds=max(5, send_every)))
