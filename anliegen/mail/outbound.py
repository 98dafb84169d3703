"""Outbound mail: replies and acknowledgements go through the outbox.

An agent's reply (hook "reply_added") and the acknowledgement of a new case (hook
"ticket_created", when the mailbox wants it) write an Outbox row inside the transaction of
the action that caused them: the reply and the duty to send it commit together or not at all.
The worker sends due rows (task mail.tasks.send_outbox, enqueued after the commit and run
periodically); a row is claimed with a conditional UPDATE (pending → sending), so several
workers never send one mail twice. A failed send is retried with exponential backoff and,
after MAIL_SEND_MAX_ATTEMPTS attempts or a permanent refusal, marked failed; the case panel
shows it and offers to send it again.

Which replies are mailed: every reply when the customer has an address, whatever channel
opened the case (the resolver registered with tickets.hooks.register_delivery says so to the
reply box and to add_reply alike).

Threading headers: our Message-ID (<uuid@MAIL_DOMAIN>) is given to the reply by tickets when
it is stored, so the customer's answer finds its case; In-Reply-To and References point at
the customer's last mail.
"""

from __future__ import annotations

import datetime
import html
import logging
import smtplib
from dataclasses import dataclass, field
from email.message import MIMEPart
from email.utils import formataddr, getaddresses
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anliegen.accounts.models import Team
from anliegen.mail.models import InboundMail, Mailbox, Outbox, OutboxKind, OutboxStatus
from anliegen.mail.parse import MailParseError, format_case_token, parse_mail
from anliegen.tickets import hooks
from anliegen.tickets.actions import new_message_id
from anliegen.tickets.models import Channel, Message, MessageKind, Ticket
from anliegen.tickets.storage import read_bytes

log = logging.getLogger(__name__)

# A row left in "sending" this long belongs to a worker that died mid-send: it is sent again
# (at least once beats never; the receiving side sees the same Message-ID twice at worst).
STALE_CLAIM = datetime.timedelta(minutes=10)
MAX_REFERENCES = 20
RETRY_CAP = datetime.timedelta(hours=6)


def max_attempts() -> int:
    return int(settings.MAIL_SEND_MAX_ATTEMPTS)


def retry_base() -> datetime.timedelta:
    return datetime.timedelta(seconds=int(settings.MAIL_SEND_RETRY_SECONDS))


def connect() -> None:
    """Register the outbound hooks, the case panel and the mail app's periodic jobs.
    Called once from the mail app's ready()."""
    from anliegen.mail import tasks

    hooks.register_delivery(reply_delivery)
    hooks.register("reply_added", queue_reply, order=hooks.DELIVER)
    hooks.register("ticket_created", queue_acknowledgement, order=hooks.DELIVER)
    hooks.register_panel(hooks.Panel(name="outbound_mail", title=gettext_lazy("Outgoing mail"),
                                     url_name="mail:outbox_panel", order=45))
    tasks.register_periodic()


# --- writing the outbox (inside the action's transaction) ------------------------------------

def reply_delivery(ticket: Ticket) -> hooks.Delivery | None:
    """Resolver for tickets.hooks: a reply goes by mail wherever the customer can be reached."""
    to = recipient_for(ticket, _last_inbound_mail(ticket))
    return hooks.Delivery(channel=Channel.EMAIL, address=to) if to else None


def _last_inbound_mail(ticket: Ticket) -> Message | None:
    return (Message.objects.filter(ticket=ticket, kind=MessageKind.INBOUND, channel=Channel.EMAIL)
            .order_by("-created_at", "-id").first())


def _mail_meta(message: Message | None) -> dict[str, Any]:
    if message is None or not isinstance(message.meta, dict):
        return {}
    mail = message.meta.get("mail")
    return mail if isinstance(mail, dict) else {}


def _valid_address(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    address = getaddresses([value])[0][1].strip() if value else ""
    return address if "@" in address and " " not in address else ""


def recipient_for(ticket: Ticket, parent: Message | None) -> str:
    """Where the customer wants the answer: the Reply-To of their last mail, else its sender,
    else the customer's primary address."""
    mail = _mail_meta(parent)
    for candidate in [*(mail.get("reply_to") or [])[:1], mail.get("from"), parent.sender if parent else ""]:
        address = _valid_address(candidate)
        if address:
            return address
    return ticket.customer.primary_email


def _own_addresses() -> set[str]:
    own = {settings.DEFAULT_FROM_EMAIL.lower(), settings.SERVER_EMAIL.lower()}
    own.update(a.lower() for a in Mailbox.objects.values_list("address", flat=True))
    own.update(a.lower() for a in Team.objects.exclude(email="").values_list("email", flat=True))
    return own


def copy_recipients(parent: Message | None, to: str) -> list[str]:
    """The customer's Cc on their last mail (without our own addresses and the recipient)."""
    mail = _mail_meta(parent)
    if not mail.get("cc"):
        return []  # most mails have no Cc: our own addresses need not be read
    own = _own_addresses() | {to.lower()}
    result: list[str] = []
    for value in mail.get("cc") or []:
        address = _valid_address(value)
        if address and address.lower() not in own and address.lower() not in result:
            result.append(address.lower())
    return result[:20]


def sender_for(ticket: Ticket, parent: Message | None) -> tuple[str, Mailbox | None]:
    """From: the mailbox the customer wrote to, else the team's mailbox or address, else
    DEFAULT_FROM_EMAIL; shown with the team's name."""
    mailbox = None
    mailbox_id = _mail_meta(parent).get("mailbox")
    if isinstance(mailbox_id, int):
        mailbox = Mailbox.objects.filter(pk=mailbox_id).first()
    if mailbox is None:
        mailbox = Mailbox.objects.filter(team_id=ticket.team_id, enabled=True).order_by("id").first()
    address = mailbox.address if mailbox else (ticket.team.email or settings.DEFAULT_FROM_EMAIL)
    return formataddr((ticket.team.name, address)), mailbox


def subject_for(ticket: Ticket, *, is_answer: bool) -> str:
    """The case's subject with its token, and "Re:" when answering a mail."""
    subject = " ".join(ticket.subject.split())
    token = format_case_token(ticket.number)
    if token not in subject:
        subject = f"{subject} {token}"
    if is_answer and not subject.lower().startswith(("re:", "re ")):
        subject = f"Re: {subject}"
    return subject[:998]


def _references_of(parent: Message) -> list[str]:
    """The References of the customer's mail: from the stored metadata if ingest kept them,
    else read again from the raw mail (kept content-addressed)."""
    mail = _mail_meta(parent)
    stored = mail.get("references")
    if isinstance(stored, list):
        return [str(r) for r in stored if r]
    inbound = InboundMail.objects.filter(ticket_message=parent).order_by("id").first()
    if inbound is None:
        return []
    try:
        parsed = parse_mail(read_bytes(inbound.raw_sha256))
    except (OSError, MailParseError):
        return []
    return list(parsed.references) or list(parsed.in_reply_to[:1])


def threading_headers(ticket: Ticket, parent: Message | None, *, exclude: int | None = None) -> tuple[str, str]:
    """(In-Reply-To, References) for a mail on this case, ids without brackets."""
    if parent is not None and parent.message_id:
        chain = _references_of(parent)
        if not chain:
            # The customer's program sent no References: thread through what the case holds.
            chain = list(
                Message.objects.filter(ticket=ticket, created_at__lte=parent.created_at)
                .exclude(message_id="").exclude(pk=parent.pk).exclude(kind=MessageKind.NOTE)
                .order_by("created_at", "id").values_list("message_id", flat=True)[:MAX_REFERENCES]
            )
        chain.append(parent.message_id)
        in_reply_to = parent.message_id
    else:
        chain = list(
            Message.objects.filter(ticket=ticket).exclude(message_id="").exclude(kind=MessageKind.NOTE)
            .exclude(pk=exclude).order_by("created_at", "id").values_list("message_id", flat=True)
        )
        in_reply_to = chain[-1] if chain else ""
    unique: list[str] = []
    for mid in chain:
        mid = mid.strip().strip("<>")
        if mid and mid not in unique:
            unique.append(mid)
    if len(unique) > MAX_REFERENCES:
        # Keep the thread's first mail and the newest ones (RFC 5322 suggests trimming so).
        unique = unique[:1] + unique[-(MAX_REFERENCES - 1):]
    return in_reply_to.strip().strip("<>"), " ".join(unique)


def _enqueue_after_commit() -> None:
    def enqueue() -> None:
        from anliegen.mail.tasks import send_outbox

        send_outbox.enqueue()

    transaction.on_commit(enqueue, robust=True)


# Feature apps add a paragraph to reply mails (the portal: a sign-in link on portal cases).
# Each is called inside the reply's transaction and returns text to append, or "".
ReplyFooter = Callable[..., str]
_reply_footers: list[ReplyFooter] = []


def register_reply_footer(function: ReplyFooter) -> None:
    if function not in _reply_footers:
        _reply_footers.append(function)


def _footers(ticket: Ticket, message: Message, to: str) -> list[str]:
    return [text for f in list(_reply_footers) if (text := f(ticket=ticket, message=message, to=to).strip())]


def queue_mail(*, kind: str, to: str, subject: str, text: str, ticket: Ticket | None = None,
               auto: bool = True) -> Outbox:
    """Put a mail the system writes itself (a confirmation, a sign-in link) into the outbox,
    inside the caller's transaction; the worker sends it. The one way out for every mail
    that is not an agent's reply."""
    if kind not in OutboxKind.values:
        raise ValueError(f"unknown outbox kind {kind!r}")
    if ticket is not None:
        from_address, mailbox = sender_for(ticket, None)
    else:
        from_address, mailbox = settings.DEFAULT_FROM_EMAIL, None
    now = timezone.now()
    row = Outbox.objects.create(
        ticket=ticket, ticket_message=None, kind=kind, mailbox=mailbox, from_address=from_address,
        to=_valid_address(to), subject=" ".join(subject.split())[:998], text=text, message_id=new_message_id(),
        created_at=now, next_attempt_at=now,
    )
    _enqueue_after_commit()
    return row


def queue_reply(*, ticket: Ticket, message: Message, **kwargs: Any) -> Outbox | None:
    """Hook "reply_added": put an agent's reply into the outbox (same transaction)."""
    if message.kind != MessageKind.REPLY or message.channel != Channel.EMAIL:
        return None
    parent = _last_inbound_mail(ticket)
    delivery = (message.meta or {}).get("delivery") if isinstance(message.meta, dict) else None
    to = _valid_address((delivery or {}).get("to")) or recipient_for(ticket, parent)
    # tickets gave a mailed reply its Message-ID; a reply stored without one still goes out.
    message_id = message.message_id or new_message_id()
    in_reply_to, references = threading_headers(ticket, parent, exclude=message.pk)
    from_address, mailbox = sender_for(ticket, parent)
    footers = _footers(ticket, message, to) if to else []
    text = "\n\n".join([message.text.rstrip(), *footers]) if footers else message.text
    html_body = ""
    if message.html.strip():
        html_body = message.html + "".join(_paragraphs(f) for f in footers)
    now = timezone.now()
    row = Outbox(
        ticket=ticket, ticket_message=message, kind=OutboxKind.REPLY, mailbox=mailbox, from_address=from_address,
        to=to, cc=", ".join(copy_recipients(parent, to)), subject=subject_for(ticket, is_answer=parent is not None),
        text=text, html=html_body, message_id=message_id, in_reply_to=in_reply_to, references=references,
        created_at=now, next_attempt_at=now,
    )
    if not to:
        row.status = OutboxStatus.FAILED
        row.last_error = _("The customer has no e-mail address; the reply was not sent by mail.")
    row.save()
    if row.status == OutboxStatus.PENDING:
        _enqueue_after_commit()
    return row


def queue_acknowledgement(*, ticket: Ticket, message: Message, **kwargs: Any) -> Outbox | None:
    """Hook "ticket_created": acknowledge a new case opened by mail, when its mailbox wants
    that. Ingest decides (meta["acknowledge"]): never for auto-replies, bounces or loops."""
    meta = message.meta if isinstance(message.meta, dict) else {}
    if ticket.channel != Channel.EMAIL or message.kind != MessageKind.INBOUND or meta.get("acknowledge") is not True:
        return None
    if meta.get("auto_reply"):
        return None
    to = recipient_for(ticket, message)
    if not to:
        return None
    from_address, mailbox = sender_for(ticket, message)
    in_reply_to, references = threading_headers(ticket, message) if message.message_id else ("", "")
    now = timezone.now()
    row = Outbox.objects.create(
        ticket=ticket, ticket_message=None, kind=OutboxKind.ACKNOWLEDGEMENT, mailbox=mailbox,
        from_address=from_address, to=to, subject=subject_for(ticket, is_answer=True),
        text=acknowledgement_text(ticket), message_id=new_message_id(), in_reply_to=in_reply_to, references=references, created_at=now,
        next_attempt_at=now,
    )
    _enqueue_after_commit()
    return row


# --- sending ---------------------------------------------------------------------------------

def _language(ticket: Ticket) -> str:
    return ticket.language or ticket.customer.preferred_language or ticket.team.default_language or "en"


def acknowledgement_text(ticket: Ticket) -> str:
    with translation.override(_language(ticket)):
        greeting = _("Hello %(name)s,") % {"name": ticket.customer.name} if ticket.customer.name else _("Hello,")
        body = _(
            "thank you for your message. We have received it and opened case %(number)s for it. "
            "We will get back to you as soon as we can.\n\n"
            "When you write to us about this concern, please keep %(token)s in the subject."
        ) % {"number": ticket.number, "token": format_case_token(ticket.number)}
        closing = _("Kind regards\n%(team)s") % {"team": ticket.team.name}
        return f"{greeting}\n\n{body}\n\n{closing}\n"


def _paragraphs(text: str) -> str:
    paragraphs = [p for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "\n".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)


def text_to_html(text: str) -> str:
    return f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body>\n{_paragraphs(text)}\n</body></html>\n'


def _html_document(fragment: str) -> str:
    return f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body>\n{fragment}\n</body></html>\n'


def build_email(row: Outbox) -> EmailMultiAlternatives:
    """The mail for an outbox row: text and HTML parts, attachments, threading headers."""
    message = row.ticket_message
    if row.text:
        text = row.text
        html_body = _html_document(row.html) if row.html.strip() else text_to_html(text)
    elif message is None:  # queued before the outbox kept the text
        text = acknowledgement_text(row.ticket)
        html_body = text_to_html(text)
    else:
        text = message.text
        html_body = _html_document(message.html) if message.html.strip() else text_to_html(text)
    headers = {"Message-ID": f"<{row.message_id}>"}
    if row.in_reply_to:
        headers["In-Reply-To"] = f"<{row.in_reply_to}>"
    if row.references:
        headers["References"] = " ".join(f"<{mid}>" for mid in row.references.split())
    if row.kind == OutboxKind.ACKNOWLEDGEMENT:
        # RFC 3834: an automatic answer; well-behaved programs do not answer it again.
        headers["Auto-Submitted"] = "auto-replied"
        headers["X-Auto-Response-Suppress"] = "All"
    elif row.kind in (OutboxKind.CONFIRMATION, OutboxKind.SIGN_IN):
        headers["Auto-Submitted"] = "auto-generated"
        headers["X-Auto-Response-Suppress"] = "All"
    email = EmailMultiAlternatives(
        subject=row.subject, body=text, from_email=row.from_address or settings.DEFAULT_FROM_EMAIL,
        to=[a.strip() for a in row.to.split(",") if a.strip()],
        cc=[a.strip() for a in row.cc.split(",") if a.strip()], headers=headers,
    )
    email.attach_alternative(html_body, "text/html")
    if message is not None and row.kind == OutboxKind.REPLY:
        for attachment in message.attachments.all().order_by("id"):
            data = read_bytes(attachment.sha256)
            if attachment.inline and attachment.content_id:
                email.attach(_inline_part(attachment.filename, attachment.content_type, data, attachment.content_id))
            else:
                email.attach(attachment.filename, data, attachment.content_type or None)
    return email


def _inline_part(filename: str, content_type: str, data: bytes, content_id: str) -> MIMEPart:
    maintype, _sep, subtype = (content_type or "application/octet-stream").partition("/")
    part = MIMEPart()
    part.set_content(data, maintype=maintype, subtype=subtype or "octet-stream", disposition="inline",
                     filename=filename, cid=f"<{content_id.strip('<>')}>")
    return part


class NoRecipient(ValueError):
    """An outbox row without a recipient address: retrying cannot help."""


def _is_permanent(exc: BaseException) -> bool:
    """An SMTP refusal that will not change by retrying (5xx), or no recipient at all."""
    if isinstance(exc, NoRecipient):
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600 and exc.smtp_code != 530
    return False


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        detail = "; ".join(f"{rcpt}: {code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
                           for rcpt, (code, msg) in exc.recipients.items())
        return f"{_('Recipients refused')}: {detail}"[:2000]
    if isinstance(exc, smtplib.SMTPResponseException):
        msg = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"SMTP {exc.smtp_code}: {msg}"[:2000]
    return f"{type(exc).__name__}: {exc}"[:2000]


def backoff(attempts: int) -> datetime.timedelta:
    """Wait before attempt number attempts+1: base, 2×base, 4×base, ..., at most RETRY_CAP."""
    return min(retry_base() * (2 ** max(0, attempts - 1)), RETRY_CAP)


@dataclass
class SendSummary:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.sent} sent, {self.retrying} to retry, {self.failed} failed"


def release_stale_claims(now: datetime.datetime | None = None) -> int:
    """Rows claimed by a worker that died before it finished: make them due again."""
    now = now or timezone.now()
    return Outbox.objects.filter(status=OutboxStatus.SENDING, claimed_at__lt=now - STALE_CLAIM).update(
        status=OutboxStatus.PENDING, next_attempt_at=now,
    )


def _due_ids(now: datetime.datetime, limit: int) -> list[int]:
    return list(
        Outbox.objects.filter(status=OutboxStatus.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("next_attempt_at", "id").values_list("id", flat=True)[:limit]
    )


def claim(pk: int, now: datetime.datetime) -> bool:
    """pending → sending, for exactly one worker."""
    return bool(Outbox.objects.filter(pk=pk, status=OutboxStatus.PENDING).update(
        status=OutboxStatus.SENDING, claimed_at=now,
    ))


def _finish(row: Outbox, error: BaseException | None, summary: SendSummary) -> None:
    now = timezone.now()
    attempts = row.attempts + 1
    if error is None:
        Outbox.objects.filter(pk=row.pk, status=OutboxStatus.SENDING).update(
            status=OutboxStatus.SENT, sent_at=now, attempts=attempts, last_error="", claimed_at=None,
        )
        summary.sent += 1
        return
    text = _describe(error)
    summary.errors.append(f"{row.message_id}: {text}")
    if _is_permanent(error) or attempts >= max_attempts():
        Outbox.objects.filter(pk=row.pk, status=OutboxStatus.SENDING).update(
            status=OutboxStatus.FAILED, attempts=attempts, last_error=text, claimed_at=None,
        )
        summary.failed += 1
        log.warning("mail %s on case %s failed for good: %s", row.message_id, row.ticket_id, text)
    else:
        Outbox.objects.filter(pk=row.pk, status=OutboxStatus.SENDING).update(
            status=OutboxStatus.PENDING, attempts=attempts, last_error=text, claimed_at=None,
            next_attempt_at=now + backoff(attempts),
        )
        summary.retrying += 1
        log.info("mail %s on case %s will be retried: %s", row.message_id, row.ticket_id, text)


def send_due(*, limit: int = 200) -> SendSummary:
    """Send every due outbox row (at most limit), each claimed by this worker alone."""
    summary = SendSummary()
    now = timezone.now()
    release_stale_claims(now)
    ids = _due_ids(now, limit)
    if not ids:
        return summary
    connection = mailers.default
    try:
        for pk in ids:
            if not claim(pk, timezone.now()):
                continue  # another worker has it
            row = Outbox.objects.select_related("ticket__customer", "ticket__team", "ticket_message").get(pk=pk)
            error: BaseException | None = None
            try:
                email = build_email(row)
                if not email.recipients():
                    raise NoRecipient(_("The mail has no recipient."))
                connection.send_messages([email])
            except Exception as exc:  # recorded on the row; the next mail gets a fresh connection
                error = exc
                try:
                    connection.close()
                except Exception:
                    pass
            _finish(row, error, summary)
    finally:
        try:
            connection.close()
        except Exception:
            pass
    return summary


# --- actions on the outbox -------------------------------------------------------------------

@transaction.atomic
def retry_outbox(*, outbox: Outbox) -> Outbox:
    """Send a failed mail again (an agent asked for it after fixing the cause)."""
    locked = Outbox.objects.select_for_update().get(pk=outbox.pk)
    if locked.status != OutboxStatus.FAILED:
        return locked
    now = timezone.now()
    locked.status, locked.attempts, locked.next_attempt_at, locked.bounced_at = OutboxStatus.PENDING, 0, now, None
    locked.save(update_fields=["status", "attempts", "next_attempt_at", "bounced_at"])
    _enqueue_after_commit()
    return locked
