"""Mail the portal writes: the sign-in link, the confirmation of a new concern (portal and web
form) and the sign-in paragraph under replies on portal cases. None is sent from the web
request: each is put into the mail app's outbox inside the transaction that caused it, and
the worker sends it like every other mail. Texts are in the customer's language."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from anliegen.customers.models import Customer
from anliegen.mail.models import Outbox, OutboxKind
from anliegen.mail.outbound import queue_mail
from anliegen.mail.parse import format_case_token
from anliegen.portal import conf
from anliegen.tickets.models import Channel, Message, Ticket


def absolute_url(path: str) -> str:
    # SITE_URL, never the request's Host header: a forged Host must not redirect a link to
    # another site.
    return settings.SITE_URL.rstrip("/") + path


def _language(customer: Customer, fallback: str = "") -> str:
    return customer.preferred_language or fallback or translation.get_language() or settings.LANGUAGE_CODE


def _render(template: str, context: dict[str, object], language: str) -> tuple[str, str]:
    """(subject, text) of a plain-text mail; the templates switch autoescaping off."""
    with translation.override(language):
        subject = " ".join(render_to_string(f"portal/mail/{template}_subject.txt", context).split())
        body = render_to_string(f"portal/mail/{template}.txt", context)
    return subject, body


def queue_sign_in_link(*, customer: Customer, email: str, token: str, language: str = "") -> Outbox:
    context = {
        "customer": customer,
        "url": absolute_url(reverse("portal:enter", args=[token])),
        "minutes": int(conf.link_lifetime().total_seconds() // 60),
    }
    subject, text = _render("sign_in_link", context, _language(customer, language))
    return queue_mail(kind=OutboxKind.SIGN_IN, to=email, subject=subject, text=text)


def queue_confirmation(*, ticket: Ticket, email: str) -> Outbox:
    """The confirmation of a new concern. Neutral on purpose: it repeats nothing the sender
    typed (the web form is open to anyone, and a confirmation quoting a stranger's name and
    subject to any address would make the department a spam relay) — only the case number."""
    context = {
        "number": ticket.number,
        # The mail app threads an answer to this mail by the token in its subject.
        "case_token": format_case_token(ticket.number),
        "portal_url": absolute_url(reverse("portal:login")),
    }
    subject, text = _render("confirmation", context, _language(ticket.customer))
    return queue_mail(kind=OutboxKind.CONFIRMATION, to=email, subject=subject, text=text, ticket=ticket)


def reply_footer(*, ticket: Ticket, message: Message, to: str) -> str:
    """Under a reply on a case the customer opened in the portal: a sign-in link to it."""
    if ticket.channel != Channel.PORTAL or ticket.customer.anonymised_at is not None:
        return ""
    from anliegen.portal.actions import issue_sign_in_link

    token = issue_sign_in_link(customer=ticket.customer, email=to, lifetime=conf.notice_link_lifetime())
    context = {
        "url": absolute_url(reverse("portal:enter", args=[token])),
        "hours": int(conf.notice_link_lifetime().total_seconds() // 3600),
    }
    with translation.override(_language(ticket.customer, ticket.language)):
        return render_to_string("portal/mail/reply_footer.txt", context).strip()
