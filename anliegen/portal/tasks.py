"""Background work of the portal, run by `anliegen worker` (django.tasks)."""

import logging

from django.tasks import task

log = logging.getLogger(__name__)


@task()
def prune_portal() -> int:
    """Periodic: delete spent sign-in links, old rate-limit attempts and form submissions."""
    from anliegen.portal.actions import prune_portal_records

    try:
        return prune_portal_records()
    except Exception:  # the worker keeps running; the next round tries again
        log.exception("portal pruning failed")
        return 0


@task()
def send_sign_in_link(address: str, language: str = "") -> bool:
    """A visitor asked for a sign-in link: if the address is a customer's, queue the mail.
    Done here, not in the web request, so the request takes as long for an unknown address."""
    from anliegen.portal.actions import mail_sign_in_link

    return mail_sign_in_link(address=address, language=language).customer is not None
