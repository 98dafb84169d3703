"""What customers do in the portal and the web form. Every write to a case goes through
tickets.actions; this module adds the portal's own records (sign-in links, one-time form
submissions, rate-limit attempts) around them."""

import datetime
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from anliegen.accounts.models import Team, TeamKind
from anliegen.customers.actions import (
    find_customer_by_email,
    get_or_create_customer_by_email,
    normalise_email,
)
from anliegen.customers.models import Customer
from anliegen.portal import conf, tokens
from anliegen.portal.mail import queue_confirmation, queue_sign_in_link
from anliegen.portal.models import Attempt, Purpose, SignInLink
from anliegen.tickets.actions import (
    ActionError,
    add_customer_message,
    claim_form,
    complete_form,
    create_ticket,
    prune_form_submissions,
)
from anliegen.tickets.models import Channel, Message, Ticket
from anliegen.tickets.storage import IncomingFile

log = logging.getLogger(__name__)

HOUR = datetime.timedelta(hours=1)


class LinkInvalid(ActionError):
    """A sign-in link that cannot be used; ``reason`` is "forged", "expired" or "used"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --- rate limits ------------------------------------------------------------------------------


def _key_hash(kind: str, key: str) -> str:
    return salted_hmac("anliegen.portal.attempt", f"{kind}:{key}").hexdigest()


@transaction.atomic
def count_attempt(*, kind: str, key: str, limit: int, window: datetime.timedelta = HOUR) -> bool:
    """Count one attempt for (kind, key); False when the limit for the window is reached
    (the refused attempt is not counted, so waiting always helps)."""
    now = timezone.now()
    key_hash = _key_hash(kind, key)
    recent = Attempt.objects.filter(kind=kind, key_hash=key_hash, at__gt=now - window).count()
    if recent >= limit:
        return False
    Attempt.objects.create(kind=kind, key_hash=key_hash, at=now)
    return True


# --- the team new concerns go to ---------------------------------------------------------------


def portal_team() -> Team:
    """The configured team (ANLIEGEN_PORTAL_TEAM slug), else the first non-confidential support team."""
    slug = conf.portal_team_slug()
    team = None
    if slug:
        team = Team.objects.filter(slug=slug).first()
        if team is None:
            log.error("ANLIEGEN_PORTAL_TEAM=%r names no team; using the first support team", slug)
    if team is None:
        team = Team.objects.filter(kind=TeamKind.SUPPORT, confidential=False).order_by("pk").first()
    if team is None:
        raise ActionError(
            _("New concerns cannot be received right now. Please write us an e-mail.")
        )
    return team


# --- sign-in links ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkRequest:
    allowed: bool  # False: rate-limited (said the same way whether or not the address is known)
    customer: Customer | None
    token: str  # the raw token to mail, empty when nothing is to be sent
    address: str = ""  # the normalised address to mail it to


@transaction.atomic
def issue_sign_in_link(
    *, customer: Customer, email: str, lifetime: datetime.timedelta | None = None
) -> str:
    """Store a new one-time link for the customer; return the raw token (only ever mailed).
    The customer's earlier links stop working: only the newest one in the mailbox signs in."""
    token = tokens.new_link_token()
    now = timezone.now()
    _retire_links(customer, now)
    SignInLink.objects.create(
        customer=customer,
        token_hash=tokens.sha256(token),
        email=normalise_email(email),
        created_at=now,
        expires_at=now + (lifetime or conf.link_lifetime()),
    )
    return token


def request_sign_in_link(*, address: str, ip: str) -> bool:
    """A visitor asks for a sign-in link: count it against the limits per address and per IP;
    False when a limit is reached. Whether the address is a customer's is not looked at here:
    the worker does that (mail_sign_in_link), so known and unknown addresses get the same
    answer after the same work."""
    address = normalise_email(address)
    per_address = conf.link_requests_per_hour()
    return count_attempt(kind="link-address", key=address, limit=per_address) and count_attempt(
        kind="link-ip", key=ip, limit=per_address * 4
    )


@transaction.atomic
def mail_sign_in_link(*, address: str, language: str = "") -> LinkRequest:
    """Run by the worker for each request: a customer with this address gets a new link in
    the outbox; an unknown (or erased) address gets nothing."""
    address = normalise_email(address)
    customer = find_customer_by_email(address)
    if customer is None or customer.anonymised_at is not None:
        return LinkRequest(allowed=True, customer=None, token="")
    token = issue_sign_in_link(customer=customer, email=address)
    queue_sign_in_link(customer=customer, email=address, token=token, language=language)
    return LinkRequest(allowed=True, customer=customer, token=token, address=address)


def find_sign_in_link(*, token: str) -> SignInLink:
    """The link for a token if it can still be used; raise LinkInvalid otherwise (no write)."""
    link = (
        SignInLink.objects.select_related("customer")
        .filter(token_hash=tokens.sha256(token or ""))
        .first()
    )
    if link is None or link.customer.anonymised_at is not None:
        raise LinkInvalid("forged")
    if link.used_at is not None:
        raise LinkInvalid("used")
    if link.expires_at <= timezone.now():
        raise LinkInvalid("expired")
    return link


@transaction.atomic
def redeem_sign_in_link(*, token: str) -> Customer:
    """Use a link once: the conditional update lets exactly one of two simultaneous clicks win."""
    link = find_sign_in_link(token=token)
    now = timezone.now()
    claimed = SignInLink.objects.filter(
        pk=link.pk, used_at__isnull=True, expires_at__gt=now
    ).update(used_at=now)
    if not claimed:
        raise LinkInvalid("used")
    _retire_links(link.customer, now)
    return link.customer


def _retire_links(customer: Customer, now: datetime.datetime) -> None:
    """End every still usable link of the customer (they then read as expired)."""
    SignInLink.objects.filter(customer=customer, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)


# --- one-time forms ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    ticket: Ticket | None
    message: Message | None
    created: bool  # False: the same form was sent before; ticket/message are the earlier ones


@transaction.atomic
def submit_concern(
    *,
    customer: Customer,
    form_token: str,
    subject: str,
    text: str,
    attachments: Sequence[IncomingFile] = (),
) -> Outcome:
    """A signed-in customer raises a new concern in the portal."""
    earlier = claim_form(form_token=form_token, purpose=Purpose.CONCERN, customer=customer)
    if earlier is not None:
        return Outcome(ticket=earlier.ticket, message=None, created=False)
    ticket = create_ticket(
        subject=subject,
        customer=customer,
        team=portal_team(),
        channel=Channel.PORTAL,
        text=text,
        attachments=attachments,
        actor_label="customer",
        sender=customer.primary_email,
    )
    complete_form(form_token=form_token, ticket=ticket)
    if customer.primary_email:
        queue_confirmation(ticket=ticket, email=customer.primary_email)
    return Outcome(ticket=ticket, message=None, created=True)


@transaction.atomic
def reply_to_case(
    *,
    customer: Customer,
    ticket: Ticket,
    form_token: str,
    text: str,
    attachments: Sequence[IncomingFile] = (),
) -> Outcome:
    """A signed-in customer writes again on their case; a solved case reopens. A case merged
    into another of theirs takes the reply on the case it was merged into."""
    if ticket.customer_id != customer.pk:
        raise ActionError(_("This is not your case."))
    if ticket.merged_into_id:
        target = Ticket.objects.filter(pk=ticket.merged_into_id, customer=customer).first()
        if target is None:
            raise ActionError(_("This case was closed and merged; please submit a new concern."))
        ticket = target
    earlier = claim_form(form_token=form_token, purpose=Purpose.REPLY, customer=customer)
    if earlier is not None:
        return Outcome(ticket=earlier.ticket, message=earlier.message, created=False)
    message = add_customer_message(
        ticket=ticket,
        customer=customer,
        text=text,
        channel=Channel.PORTAL,
        subject=ticket.subject,
        attachments=attachments,
    )
    complete_form(form_token=form_token, ticket=ticket, message=message)
    return Outcome(ticket=ticket, message=message, created=True)


@transaction.atomic
def submit_webform(
    *,
    form_token: str,
    name: str,
    email: str,
    subject: str,
    text: str,
    attachments: Sequence[IncomingFile] = (),
    language: str = "",
) -> Outcome:
    """Someone (known or not) writes through the web form: find or create the customer by
    address, open a case. Sending the same form twice opens one case."""
    earlier = claim_form(form_token=form_token, purpose=Purpose.WEBFORM)
    if earlier is not None:
        return Outcome(ticket=earlier.ticket, message=None, created=False)
    customer = get_or_create_customer_by_email(
        address=email, name=" ".join(name.split())[:200], preferred_language=language
    )
    ticket = create_ticket(
        subject=subject,
        customer=customer,
        team=portal_team(),
        channel=Channel.WEBFORM,
        text=text,
        attachments=attachments,
        actor_label="webform",
        sender=normalise_email(email),
        meta={"webform": {"consent": True}},
    )
    complete_form(form_token=form_token, ticket=ticket, customer=customer)
    # Anyone can type any address into the form: one address gets only a few confirmations
    # an hour, however many cases are opened in its name.
    address = normalise_email(email)
    if count_attempt(
        kind="confirm-address", key=address, limit=conf.webform_confirmations_per_hour()
    ):
        queue_confirmation(ticket=ticket, email=address)
    return Outcome(ticket=ticket, message=None, created=True)


# --- housekeeping -----------------------------------------------------------------------------


@transaction.atomic
def prune_portal_records(*, now: datetime.datetime | None = None) -> int:
    """Delete what no longer serves a purpose: links a day past expiry, attempts older than a
    day, submissions older than the oldest form token still accepted."""
    now = now or timezone.now()
    deleted = SignInLink.objects.filter(expires_at__lt=now - datetime.timedelta(days=1)).delete()[0]
    deleted += Attempt.objects.filter(at__lt=now - datetime.timedelta(days=1)).delete()[0]
    deleted += prune_form_submissions(now=now)
    return deleted
