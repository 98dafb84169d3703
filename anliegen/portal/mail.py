"""Mails the portal sends itself: the sign-in link and the web form's confirmation. Both go
out through Django's mail API in the customer's language."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from anliegen.customers.models import Customer
from anliegen.portal import conf
from anliegen.tickets.models import Ticket

log = logging.getLogger(__name__)


def absolute_url(path: str) -> str:
    # SITE_URL, never the request's Host header: a forged Host must not redirect a link to
    # another site.
    return settings.SITE_URL.rstrip("/") + path


def _language(customer: Customer) -> str:
    return customer.preferred_language or translation.get_language() or settings.LANGUAGE_CODE


def _send(*, template: str, context: dict[str, object], to: str, language: str) -> bool:
    with translation.override(language):
        subject = " ".join(render_to_string(f"portal/mail/{template}_subject.txt", context).split())
        body = render_to_string(f"portal/mail/{template}.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
    except Exception:  # the mail server is down: log it, the page still answers
        log.exception("could not send the portal's %s mail", template)
        return False
    return True


def send_sign_in_link(*, customer: Customer, email: str, token: str) -> bool:
    context = {
        "customer": customer,
        "url": absolute_url(reverse("portal:enter", args=[token])),
        "minutes": int(conf.link_lifetime().total_seconds() // 60),
    }
    return _send(template="sign_in_link", context=context, to=email, language=_language(customer))


def send_webform_confirmation(*, ticket: Ticket, email: str) -> bool:
    context = {
        "ticket": ticket,
        "customer": ticket.customer,
        # The mail app threads replies by this token in the subject.
        "case_token": f"[#{ticket.number}]",
        "portal_url": absolute_url(reverse("portal:login")),
    }
    return _send(
        template="webform_confirmation",
        context=context,
        to=email,
        language=_language(ticket.customer),
    )
