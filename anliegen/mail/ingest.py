"""Store one incoming mail: the single entry point for IMAP, SMTP, import and replay.

`ingest_mail(raw, source=..., mailbox=...)` never raises for a bad mail: whatever cannot be
parsed or stored lands in the quarantine with the reason. Everything happens in one
transaction, so a transport acknowledges the mail (IMAP flag, SMTP 250) only after it
returns, i.e. after the commit. Only database outages escape (the transport then does not
acknowledge and the mail is delivered again; idempotency makes that harmless).

Idempotent: the same raw bytes are stored once (InboundMail.content_hash is unique); the same
Message-ID from the same sender with the same subject, arriving by another path with other
transport headers, is recorded as a duplicate without a second message on the case."""

import dataclasses
import datetime
import hashlib
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from typing import Any

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anliegen.accounts.models import Team
from anliegen.customers.actions import find_customers_by_email, get_or_create_customer_by_email
from anliegen.customers.models import Customer
from anliegen.lib import readcache
from anliegen.mail import automatic, threading
from anliegen.mail.models import (
    InboundMail,
    Mailbox,
    Outbox,
    OutboxStatus,
    Outcome,
    PendingReply,
    Quarantine,
    SenderRate,
    Source,
)
from anliegen.mail.parse import MailParseError, ParsedMail, html_to_text, parse_mail
from anliegen.tickets import actions as ticket_actions
from anliegen.tickets.models import Channel, Message, Ticket
from anliegen.tickets.storage import AttachmentRejected, IncomingFile, check_file, store_bytes

log = logging.getLogger(__name__)

QUARANTINED = "quarantined"
LIVE_SOURCES = (Source.IMAP, Source.SMTP)
# Loop protection: more than LOOP_MAX mails from one address within LOOP_WINDOW (live
# transports only; an import of an old archive is not a loop).
LOOP_MAX = int(settings.MAIL_LOOP_MAX)
LOOP_WINDOW = datetime.timedelta(minutes=int(settings.MAIL_LOOP_WINDOW_MINUTES))


@dataclass
class IngestResult:
    """What became of a mail. outcome is an Outcome value or "quarantined"."""

    outcome: str
    inbound: InboundMail | None = None
    quarantine: Quarantine | None = None
    ticket: Ticket | None = None
    # True when this call stored something new (False for a mail seen before).
    stored: bool = True
    # The mailbox wants new cases acknowledged and this mail opened one (not an auto-reply).
    acknowledge: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def quarantined(self) -> bool:
        return self.outcome == QUARANTINED


class _Quarantine(Exception):
    """Internal: stop storing and keep the raw mail in quarantine with this reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def ingest_mail(raw: bytes, *, source: str, mailbox: Mailbox | None = None, team: Team | None = None,
                replay_of: Quarantine | None = None) -> IngestResult:
    """Store one raw mail as a case message, a bounce, a loop note, or in quarantine.

    team overrides the mailbox's team (import --team). replay_of: the quarantine entry being
    replayed; it is updated instead of a second entry being made."""
    with readcache.scope():
        return _ingest_one(raw, source=source, mailbox=mailbox, team=team, replay_of=replay_of)


def ingest_mails(raws: Iterable[bytes], *, source: str, mailbox: Mailbox | None = None, team: Team | None = None,
                 each: Callable[[IngestResult], None] | None = None) -> list[IngestResult]:
    """Store many mails in one transaction: one commit (and one wait for the database's log
    flush) for all of them instead of one per mail. For imports and transports that fetch
    mails in chunks; acknowledge the mails only after it returns.

    The batch goes through in three steps:
    1. before the transaction, every mail is hashed and parsed (pure work, no locks held);
    2. a few set queries find what the database already knows about the whole batch: mails
       stored before (same bytes), the same mail stored through another path (same
       Message-ID, sender and subject), and the senders' customers;
    3. each mail is stored as ingest_mail would store it, in order, in a savepoint of its
       own: a mail that cannot be stored goes to the quarantine and the others are kept, and
       a mail sees everything the earlier mails stored (a reply before its original still
       threads).
    `each` is called with every result as soon as its mail is done.

    If the database goes away, nothing of the batch is stored and the error is raised. If
    another error escapes for one mail (even its quarantine entry could not be written), the
    mails before it are committed, then the error is raised; that mail and the ones after it
    are not stored. Row locks are held until the batch commits: keep batches small (100)."""
    prepared = [_Prepared(raw=bytes(raw), digest=hashlib.sha256(raw).hexdigest()) for raw in raws]
    # Committed rows only: a mail found here is stored for good. An import that is run again
    # after an interruption skips what it stored before with this one query per batch.
    seen = {row.content_hash: row for row in
            InboundMail.objects.filter(content_hash__in=[i.digest for i in prepared]).select_related("ticket")}
    for item in prepared:
        if item.digest not in seen:
            _parse(item)
    results: list[IngestResult] = []
    failure: Exception | None = None
    with readcache.scope(), transaction.atomic():
        known = _Known.load(prepared, seen)
        for item in prepared:
            try:
                # Its own savepoints: whatever fails inside is rolled back before it escapes.
                result = _ingest_one(item.raw, source=source, mailbox=mailbox, team=team, replay_of=None,
                                     prepared=item, known=known)
            except (OperationalError, InterfaceError):
                raise  # the transaction is lost with the connection: nothing of the batch is stored
            except Exception as exc:  # noqa: BLE001 - raised below, after the earlier mails are committed
                failure = exc
                break
            known.stored(item, result)
            results.append(result)
            if each is not None:
                each(result)
    if failure is not None:
        raise failure
    return results


@dataclass
class _Prepared:
    """A mail of a batch, hashed and parsed before the batch's transaction begins."""

    raw: bytes
    digest: str
    parsed: ParsedMail | None = None
    reason: str = ""  # why it did not parse (quarantine), when parsed is None

    @property
    def sender(self) -> str:
        return self.parsed.from_address.strip().lower()[:254] if self.parsed else ""


def _prepare(raw: bytes) -> _Prepared:
    raw = bytes(raw)
    return _parse(_Prepared(raw=raw, digest=hashlib.sha256(raw).hexdigest()))


def _parse(item: _Prepared) -> _Prepared:
    if len(item.raw) > settings.MAIL_MAX_BYTES:
        return item  # _ingest quarantines it with the reason
    try:
        item.parsed = storable(parse_mail(item.raw))
    except MailParseError as exc:
        item.reason = _("Unreadable mail: %(reason)s") % {"reason": exc.reason}
    except Exception as exc:  # noqa: BLE001 - a parser bug must not lose the mail
        item.reason = _("The parser failed: %(error)r") % {"error": exc}
    return item


def _twin_key(message_id: str, sender: str, subject: str) -> tuple[str, str, str]:
    return message_id[:300], sender, " ".join(subject.split())[:300]


@dataclass
class _Known:
    """What the database knew about a batch's mails when the batch began, read with one query
    each, and kept up to date as the batch's own mails are stored."""

    seen: dict[str, InboundMail] = field(default_factory=dict)
    twins: dict[tuple[str, str, str], InboundMail] = field(default_factory=dict)
    customers: dict[str, Customer] = field(default_factory=dict)
    # Customers created by the mail being stored: kept only once its savepoint holds.
    fresh: dict[str, Customer] = field(default_factory=dict)
    # Digests stored by this batch: a mail repeated inside the batch is looked up again.
    in_batch: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, items: list[_Prepared], seen: dict[str, InboundMail]) -> "_Known":
        known = cls(seen=seen)
        parsed = [i for i in items if i.parsed is not None and i.digest not in known.seen]
        ids = {i.parsed.message_id[:300] for i in parsed if i.parsed and i.parsed.message_id}
        if ids:
            rows = (InboundMail.objects.filter(message_id__in=ids).exclude(outcome=Outcome.DUPLICATE)
                    .select_related("ticket").order_by("id"))
            for row in rows:
                known.twins.setdefault((row.message_id, row.sender, row.subject), row)
        known.customers = find_customers_by_email(i.sender for i in parsed if "@" in i.sender)
        return known

    def seen_before(self, digest: str) -> InboundMail | None | bool:
        """The stored mail with these bytes, None if there is none, False if unknown (ask)."""
        if digest in self.in_batch:
            return False
        return self.seen.get(digest)

    def twin(self, parsed: ParsedMail, sender: str) -> InboundMail | None:
        if not parsed.message_id:
            return None
        return self.twins.get(_twin_key(parsed.message_id, sender, parsed.subject))

    def existing_customer(self, address: str) -> Customer | None:
        """The customer of this address if there is one; never creates one."""
        if address in self.customers or address in self.fresh:
            return self.customers.get(address) or self.fresh[address]
        found = Customer.objects.filter(emails__address=address).first()
        if found is not None:
            self.customers[address] = found
        return found

    def customer(self, address: str, name: str) -> Customer:
        found = self.customers.get(address) or self.fresh.get(address)
        if found is None:
            found = self.fresh[address] = get_or_create_customer_by_email(address=address, name=name)
        return found

    def stored(self, item: _Prepared, result: IngestResult) -> None:
        fresh, self.fresh = self.fresh, {}
        if not result.stored or result.inbound is None:
            return  # rolled back (quarantine, stored at the same moment elsewhere): forget it
        self.customers.update(fresh)
        self.in_batch.add(item.digest)
        inbound = result.inbound
        if result.outcome != Outcome.DUPLICATE and inbound.message_id:
            self.twins.setdefault((inbound.message_id, inbound.sender, inbound.subject), inbound)


def _ingest_one(raw: bytes, *, source: str, mailbox: Mailbox | None, team: Team | None,
                replay_of: Quarantine | None, prepared: _Prepared | None = None,
                known: "_Known | None" = None) -> IngestResult:
    item = prepared or _Prepared(raw=bytes(raw), digest=hashlib.sha256(raw).hexdigest())
    raw, digest = item.raw, item.digest
    try:
        with transaction.atomic():
            return _ingest(item, source=source, mailbox=mailbox, team=team, replay_of=replay_of,
                           known=known or _Known(), parse=prepared is None)
    except _Quarantine as exc:
        reason = exc.reason
    except _AlreadyStored as exc:
        # Another process stored the same mail at the same moment and committed first.
        seen = InboundMail.objects.select_related("ticket").get(content_hash=exc.digest)
        if replay_of is not None:
            with transaction.atomic():
                _resolve_replay(replay_of, seen)
        return IngestResult(Outcome.DUPLICATE, inbound=seen, ticket=seen.ticket, stored=False)
    except (OperationalError, InterfaceError):
        raise  # the database is away: do not acknowledge; the mail comes again
    except Exception as exc:  # noqa: BLE001 - nothing may be lost: keep it and say why
        log.exception("Mail %s could not be stored", digest[:12])
        reason = f"{_('Could not be stored')}: {type(exc).__name__}: {exc}"[:2000]
    with transaction.atomic():
        quarantine, created = _quarantine(raw, digest, reason=reason, source=source, mailbox=mailbox,
                                          replay_of=replay_of)
    return IngestResult(QUARANTINED, quarantine=quarantine, stored=created)


def _ingest(item: _Prepared, *, source: str, mailbox: Mailbox | None, team: Team | None,
            replay_of: Quarantine | None, known: _Known, parse: bool) -> IngestResult:
    raw, digest = item.raw, item.digest
    seen = known.seen_before(digest) if not parse else False
    if seen is False:
        seen = InboundMail.objects.filter(content_hash=digest).select_related("ticket").first()
    if seen is not None:
        _resolve_replay(replay_of, seen)
        return IngestResult(Outcome.DUPLICATE, inbound=seen, ticket=seen.ticket, stored=False)
    if len(raw) > settings.MAIL_MAX_BYTES:
        raise _Quarantine(_("The mail is larger than the limit of %(mb)d MB.")
                          % {"mb": settings.MAIL_MAX_BYTES // (1024 * 1024)})
    if parse:
        item = _prepare(raw)
    if item.parsed is None:
        raise _Quarantine(item.reason)
    parsed = item.parsed
    sender = item.sender
    if not sender or "@" not in sender:
        raise _Quarantine(_("The mail has no sender address."))
    store_bytes(raw)
    now = timezone.now()

    twin = known.twin(parsed, sender) if not parse else _same_mail_other_path(parsed, sender)
    if twin is not None:
        inbound = _claim(parsed, digest, raw, source=source, mailbox=mailbox, sender=sender, now=now)
        inbound.outcome = Outcome.DUPLICATE
        inbound.ticket = twin.ticket
        inbound.note = f"same Message-ID as inbound mail {twin.pk}"
        inbound.save(update_fields=["outcome", "ticket", "note"])
        _resolve_replay(replay_of, inbound)
        return IngestResult(Outcome.DUPLICATE, inbound=inbound, ticket=twin.ticket)

    target_team = team or (mailbox.team if mailbox else None) or default_team()
    if target_team is None:
        raise _Quarantine(_("No team is set up to receive mail."))

    looping = _is_from_ourselves(sender) or (source in LIVE_SOURCES and _over_rate(sender, now))
    if parsed.is_bounce:
        result = _store_bounce(parsed, raw, digest, source=source, mailbox=mailbox, sender=sender, now=now)
    elif looping:
        result = _store_loop(parsed, raw, digest, source=source, mailbox=mailbox, sender=sender, now=now)
    else:
        result = _store_message(parsed, raw, digest, source=source, mailbox=mailbox, sender=sender, now=now,
                                team=target_team, known=known)
    if result.inbound is not None:
        _resolve_replay(replay_of, result.inbound)
    return result


# --- the three ways a parsed mail is stored ----------------------------------------------------

def _store_message(parsed: ParsedMail, raw: bytes, digest: str, *, source: str, mailbox: Mailbox | None,
                   sender: str, now: datetime.datetime, team: Team, known: _Known) -> IngestResult:
    # A machine's mail does not make its sender a customer unless it joins a case.
    name = parsed.from_name.strip()[:200]
    customer = known.existing_customer(sender) if parsed.is_auto_reply else known.customer(sender, name)
    match = threading.find_thread(parsed, customer=customer)
    if automatic.route(parsed, match) == automatic.Route.SET_ASIDE:
        return _set_aside(parsed, raw, digest, source=source, mailbox=mailbox, sender=sender, now=now)
    customer = customer or known.customer(sender, name)
    inbound = _claim(parsed, digest, raw, source=source, mailbox=mailbox, sender=sender, now=now)
    files, withheld = _attachments(parsed)
    text = parsed.text if parsed.text.strip() else (html_to_text(parsed.html) if parsed.html else "")
    if not text.strip() and not parsed.html.strip() and not files:
        text = _("(The mail has no text.)")
    pending = threading.pending_replies_for(parsed.message_id)
    meta = _meta(parsed, sender=sender, mailbox=mailbox, withheld=withheld)
    common: dict[str, Any] = {
        "text": text, "html": parsed.html, "subject": parsed.subject, "sender": sender,
        "language": _language(parsed), "message_id": parsed.message_id[:300], "attachments": files,
    }
    acknowledge = False
    if match is not None:
        meta["threaded_by"] = match.how
        ticket = match.ticket
        message = ticket_actions.add_customer_message(
            ticket=ticket, customer=customer, channel=Channel.EMAIL, meta=meta,
            reopen=not parsed.is_auto_reply, **common,
        )
        outcome, how = Outcome.APPENDED, match.how
    else:
        acknowledge = bool(mailbox and mailbox.send_acknowledgement and not parsed.is_auto_reply and not pending)
        meta["acknowledge"] = acknowledge
        ticket = ticket_actions.create_ticket(
            customer=customer, team=team, channel=Channel.EMAIL, meta=meta, actor_label="mail", **common,
        )
        message = getattr(ticket, "opening_message", None) or ticket.messages.order_by("id").first()
        outcome, how = Outcome.CREATED, ""
    inbound.ticket, inbound.ticket_message, inbound.outcome, inbound.threaded_by = ticket, message, outcome, how
    if withheld:
        inbound.note = "withheld attachments: " + "; ".join(withheld)
    inbound.save(update_fields=["ticket", "ticket_message", "outcome", "threaded_by", "note"])

    if how not in ("references", "outbox"):
        _remember_references(parsed, inbound, ticket, now)
    ticket = _join_pending(pending, ticket, now)
    inbound.ticket = ticket
    return IngestResult(outcome, inbound=inbound, ticket=ticket, acknowledge=acknowledge)


def _set_aside(parsed: ParsedMail, raw: bytes, digest: str, *, source: str, mailbox: Mailbox | None,
               sender: str, now: datetime.datetime) -> IngestResult:
    """An automatic mail that answers no case: kept for the list of automatic mail, no case."""
    inbound = _claim(parsed, digest, raw, source=source, mailbox=mailbox, sender=sender, now=now)
    inbound.outcome, inbound.note = Outcome.AUTOMATIC, parsed.automatic_reason
    inbound.save(update_fields=["outcome", "note"])
    return IngestResult(Outcome.AUTOMATIC, inbound=inbound)


def _store_loop(parsed: ParsedMail, raw: bytes, digest: str, *, source: str, mailbox: Mailbox | None,
                sender: str, now: datetime.datetime) -> IngestResult:
    """A mail loop (or our own mail coming back): a note on its case, never a new case, no
    reopening, no acknowledgement. Without a case it goes to quarantine."""
    customer = Customer.objects.filter(emails__address=sender).first()
    match = threading.find_thread(parsed, customer=customer)
    if match is None:
        raise _Quarantine(_("Mail loop: more than %(max)d mails from %(sender)s within %(minutes)d minutes, "
                            "or a mail from one of our own addresses.")
                          % {"max": LOOP_MAX, "sender": sender, "minutes": LOOP_WINDOW.seconds // 60})
    inbound = _claim(parsed, digest, raw, source=source, mailbox=mailbox, sender=sender, now=now)
    body = (parsed.text or html_to_text(parsed.html) or "").strip()[:5000]
    text = _("Mail loop suspected: a mail from %(sender)s was stored as a note and did not change the case.") \
        % {"sender": sender}
    note = ticket_actions.add_note(
        ticket=match.ticket, author=None, actor_label="mail", channel=Channel.EMAIL,
        text=f"{text}\n\n{parsed.subject}\n\n{body}".strip(),
        meta={"loop": True, "mail": {"from": sender, "message_id": parsed.message_id, "inbound": inbound.pk}},
    )
    inbound.ticket, inbound.ticket_message, inbound.outcome = match.ticket, note, Outcome.IGNORED_LOOP
    inbound.threaded_by = match.how
    inbound.save(update_fields=["ticket", "ticket_message", "outcome", "threaded_by"])
    return IngestResult(Outcome.IGNORED_LOOP, inbound=inbound, ticket=match.ticket)


_DIAGNOSTIC_RE = re.compile(rb"^Diagnostic-Code:[ \t]*(?:[\w-]+;[ \t]*)?(.+(?:\r?\n[ \t]+.+)*)", re.I | re.M)
_STATUS_RE = re.compile(rb"^Status:[ \t]*([245]\.\d{1,3}\.\d{1,3})", re.I | re.M)


def bounce_reason(raw: bytes, parsed: ParsedMail) -> str:
    """The remote server's own words (Diagnostic-Code, Status), else the start of the text."""
    parts = []
    status = _STATUS_RE.search(raw)
    if status:
        parts.append(status.group(1).decode("ascii", "replace"))
    diagnostic = _DIAGNOSTIC_RE.search(raw)
    if diagnostic:
        parts.append(" ".join(diagnostic.group(1).decode("utf-8", "replace").split()))
    if not parts:
        first = " ".join((parsed.text or parsed.subject).split())
        parts.append(first[:300])
    return " ".join(parts)[:1000]


def _store_bounce(parsed: ParsedMail, raw: bytes, digest: str, *, source: str, mailbox: Mailbox | None,
                  sender: str, now: datetime.datetime) -> IngestResult:
    """A bounce: mark the outbound mail it bounces as failed and note it on the case."""
    inbound = _claim(parsed, digest, raw, source=source, mailbox=mailbox, sender=sender, now=now)
    reason = bounce_reason(raw, parsed)
    bounced = parsed.bounced_message_id.strip()[:300]
    outbox = Outbox.objects.select_for_update().filter(message_id=bounced).first() if bounced else None
    ticket: Ticket | None = None
    if outbox is not None:
        outbox.status = OutboxStatus.FAILED
        outbox.last_error = _("Bounced: %(reason)s") % {"reason": reason}
        outbox.bounced_at = now
        outbox.save(update_fields=["status", "last_error", "bounced_at"])
        ticket = threading.follow_merges(outbox.ticket)
    elif bounced:
        original = Message.objects.filter(message_id=bounced).select_related("ticket").first()
        ticket = threading.follow_merges(original.ticket) if original else None
    if ticket is None:
        match = threading.find_thread(parsed, customer=None)
        ticket = match.ticket if match else None
    note = None
    if ticket is not None:
        recipients = outbox.to if outbox else ""
        text = _("A mail could not be delivered%(to)s: %(reason)s") % {
            "to": f" ({recipients})" if recipients else "", "reason": reason}
        note = ticket_actions.add_note(
            ticket=ticket, author=None, actor_label="mail", channel=Channel.EMAIL, text=text,
            meta={"bounce": {"reason": reason, "outbox": outbox.pk if outbox else None,
                             "bounced_message_id": bounced, "inbound": inbound.pk}},
        )
    inbound.ticket, inbound.ticket_message, inbound.outcome = ticket, note, Outcome.BOUNCE
    inbound.note = reason
    inbound.save(update_fields=["ticket", "ticket_message", "outcome", "note"])
    return IngestResult(Outcome.BOUNCE, inbound=inbound, ticket=ticket)


# --- helpers -----------------------------------------------------------------------------------

def _text(value: str) -> str:
    """What every database takes: no NUL characters (PostgreSQL refuses them) and no lone
    surrogates left over from undecodable bytes."""
    if value.isascii() and "\x00" not in value:
        return value
    return value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def storable(parsed: ParsedMail) -> ParsedMail:
    """The parsed mail with every text that goes into the database made storable."""
    return dataclasses.replace(
        parsed,
        from_address=_text(parsed.from_address), from_name=_text(parsed.from_name),
        reply_to=[_text(a) for a in parsed.reply_to], to=[_text(a) for a in parsed.to],
        cc=[_text(a) for a in parsed.cc], subject=_text(parsed.subject), message_id=_text(parsed.message_id),
        in_reply_to=[_text(m) for m in parsed.in_reply_to], references=[_text(m) for m in parsed.references],
        text=_text(parsed.text), html=_text(parsed.html), bounced_message_id=_text(parsed.bounced_message_id),
        language_hint=_text(parsed.language_hint),
        attachments=[dataclasses.replace(a, filename=_text(a.filename), content_type=_text(a.content_type),
                                         content_id=_text(a.content_id)) for a in parsed.attachments],
    )


def _claim(parsed: ParsedMail, digest: str, raw: bytes, *, source: str, mailbox: Mailbox | None, sender: str,
           now: datetime.datetime) -> InboundMail:
    """Insert the InboundMail row first: a second process storing the same mail at the same
    moment waits on the unique content_hash and then finds it (see ingest_mail)."""
    try:
        with transaction.atomic():
            return InboundMail.objects.create(
                message_id=parsed.message_id[:300], content_hash=digest, mailbox=mailbox, source=source,
                received_at=now, sender=sender, subject=" ".join(parsed.subject.split())[:300], size=len(raw),
                raw_sha256=digest, is_auto_reply=parsed.is_auto_reply, is_bounce=parsed.is_bounce,
                outcome=Outcome.CREATED,
            )
    except IntegrityError:
        if InboundMail.objects.filter(content_hash=digest).exists():
            raise _AlreadyStored(digest) from None
        raise


class _AlreadyStored(Exception):
    def __init__(self, digest: str) -> None:
        super().__init__(digest)
        self.digest = digest


def _same_mail_other_path(parsed: ParsedMail, sender: str) -> InboundMail | None:
    """The same mail (Message-ID, sender, subject) stored before with other transport headers."""
    if not parsed.message_id:
        return None
    subject = " ".join(parsed.subject.split())[:300]
    return (
        InboundMail.objects.filter(message_id=parsed.message_id[:300], sender=sender, subject=subject)
        .exclude(outcome=Outcome.DUPLICATE).select_related("ticket").order_by("id").first()
    )


def _attachments(parsed: ParsedMail) -> tuple[list[IncomingFile], list[str]]:
    """Attachments to store, and those withheld (blocked type, too large) with the reason.
    Withheld files stay in the raw mail, which is kept."""
    files, withheld = [], []
    for a in parsed.attachments:
        name = (a.filename or "").strip() or "attachment"
        try:
            check_file(name, len(a.data))
        except AttachmentRejected as exc:
            withheld.append(str(exc))
            continue
        files.append(IncomingFile(filename=name[:255], content_type=(a.content_type or "application/octet-stream"),
                                  data=a.data, content_id=a.content_id or "", inline=a.inline))
    return files, withheld


def _meta(parsed: ParsedMail, *, sender: str, mailbox: Mailbox | None, withheld: list[str]) -> dict[str, Any]:
    mail: dict[str, Any] = {
        "from": sender, "from_name": parsed.from_name, "to": parsed.to, "cc": parsed.cc,
        "reply_to": parsed.reply_to, "date": parsed.date.isoformat() if parsed.date else None,
        "content_hash": parsed.content_hash, "mailbox": mailbox.pk if mailbox else None,
    }
    if withheld:
        mail["withheld"] = withheld
    meta: dict[str, Any] = {"mail": mail}
    if parsed.is_auto_reply:
        meta["auto_reply"] = True
    return meta


def _language(parsed: ParsedMail) -> str:
    hint = (parsed.language_hint or "").split("-")[0].strip().lower()
    return hint if hint in {code for code, _name in settings.LANGUAGES} else ""


def default_team() -> Team | None:
    """Where mail without a mailbox goes: MAIL_DEFAULT_TEAM (a slug), else the first mailbox's
    team, else the reception team, else the first team."""
    slug = settings.MAIL_DEFAULT_TEAM
    if slug:
        team = Team.objects.filter(slug=slug).first()
        if team:
            return team
    mailbox = Mailbox.objects.filter(enabled=True).select_related("team").order_by("id").first()
    if mailbox:
        return mailbox.team
    return Team.objects.filter(kind="reception").order_by("id").first() or Team.objects.order_by("id").first()


def _own_addresses() -> tuple[frozenset[str], bool]:
    """The addresses of our mailboxes and teams (lowercase), and whether all are ASCII."""
    addresses = [*Mailbox.objects.values_list("address", flat=True),
                 *Team.objects.exclude(email="").values_list("email", flat=True)]
    return frozenset(a.lower() for a in addresses), all(a.isascii() for a in addresses)


readcache.depends_on("mail.own_addresses", Mailbox, Team)


def _is_from_ourselves(sender: str) -> bool:
    own = {settings.DEFAULT_FROM_EMAIL.lower(), settings.SERVER_EMAIL.lower()}
    if sender in own:
        return True
    addresses, ascii_only = readcache.cached("mail.own_addresses", _own_addresses)
    if ascii_only and sender.isascii():
        # What iexact compares on every database, for ASCII text: the lowercase forms.
        return sender.lower() in addresses
    return Mailbox.objects.filter(address__iexact=sender).exists() or Team.objects.filter(email__iexact=sender).exists()


def _over_rate(sender: str, now: datetime.datetime) -> bool:
    """Count this mail against its sender's window; True once the sender exceeds LOOP_MAX."""
    rate, _created = SenderRate.objects.select_for_update().get_or_create(
        address=sender, defaults={"window_start": now, "count": 0},
    )
    if now - rate.window_start > LOOP_WINDOW:
        rate.window_start, rate.count = now, 0
    rate.count += 1
    rate.save(update_fields=["window_start", "count"])
    return rate.count > LOOP_MAX


def _remember_references(parsed: ParsedMail, inbound: InboundMail, ticket: Ticket, now: datetime.datetime) -> None:
    """The mail refers to Message-IDs we do not know (yet): remember them, so the original
    joins this thread when it arrives."""
    ids = threading.referenced_ids(parsed)
    if not ids:
        return
    known = set(Message.objects.filter(message_id__in=ids).values_list("message_id", flat=True))
    PendingReply.objects.bulk_create([
        PendingReply(referenced_id=mid, inbound=inbound, ticket=ticket, created_at=now)
        for mid in ids if mid not in known
    ])


def _join_pending(pending: list[PendingReply], ticket: Ticket, now: datetime.datetime) -> Ticket:
    """The original of earlier replies arrived: move the cases those replies opened into the
    original's case. A reply that had joined some other case by its subject alone (the same
    customer's other open case) is moved, that one message, to the original's case: its
    References prove where it belongs. A reply that joined a case by its case token stays
    there, unless that case was itself opened by an early reply (a later reply of the same
    thread that came first: the reply joined it by subject or by its Message-ID), which is
    merged."""
    merged: set[int] = set()  # several rows can lead to the same case
    for row in pending:
        reply_case = threading.follow_merges(row.ticket)
        opened_by_reply = reply_case.pk not in merged and (
            (row.inbound.outcome == Outcome.CREATED and row.inbound.ticket_id == row.ticket_id)
            or _opened_by_early_reply(reply_case))
        if opened_by_reply and reply_case.pk != ticket.pk and not reply_case.merged_into_id:
            merged.add(reply_case.pk)
            # The reply names the original's Message-ID: it joins that thread whoever sent
            # it, as it would have had it arrived second.
            ticket_actions.merge_tickets(
                source=reply_case, target=ticket, actor=None, same_thread=True,
                reason=_("The original mail of this reply arrived after it."),
            )
        elif not opened_by_reply and row.inbound.threaded_by == "subject" and reply_case.pk != ticket.pk:
            _move_reply(row.inbound, ticket)
        PendingReply.objects.filter(inbound=row.inbound, resolved_at__isnull=True).update(resolved_at=now)
    if pending:
        ticket.refresh_from_db()
    return ticket


def _move_reply(inbound: InboundMail, ticket: Ticket) -> None:
    """Move the message of a reply that was joined by subject to the wrong case into the case
    of the original it answers."""
    message = Message.objects.filter(pk=inbound.ticket_message_id).first()
    if message is None or message.ticket_id == ticket.pk:
        return
    try:
        ticket_actions.move_message(
            message=message, target=ticket, actor=None, actor_label="mail",
            reason=_("The reply was joined to this case by its subject; its references show it answers "
                     "a mail of %(number)s.") % {"number": ticket.number},
        )
    except ticket_actions.ActionError:
        log.warning("Reply %s stays on case %s", inbound.pk, message.ticket_id, exc_info=True)
        return
    InboundMail.objects.filter(pk=inbound.pk).update(ticket=ticket, threaded_by="references")
    inbound.ticket, inbound.threaded_by = ticket, "references"


def _opened_by_early_reply(case: Ticket) -> bool:
    """Whether the mail that opened this case answered a mail we did not have yet."""
    return PendingReply.objects.filter(ticket=case, inbound__ticket=case, inbound__outcome=Outcome.CREATED).exists()


def _resolve_replay(replay_of: Quarantine | None, inbound: InboundMail) -> None:
    if replay_of is None:
        return
    now = timezone.now()
    Quarantine.objects.filter(pk=replay_of.pk).update(
        replayed_inbound=inbound, resolved_at=now, last_replayed_at=now,
    )
    replay_of.replayed_inbound, replay_of.resolved_at, replay_of.last_replayed_at = inbound, now, now


_SUMMARY_RE = re.compile(rb"^(From|Subject):[ \t]*(.*)$", re.I | re.M)


def _decode_word(value: bytes) -> str:
    text = value.decode("utf-8", "replace").strip()
    try:
        return str(make_header(decode_header(text)))
    except Exception:  # noqa: BLE001 - a summary for the list; the raw text will do
        return text


def _summary(raw: bytes) -> str:
    """Sender and subject read straight from the raw headers (the mail did not parse)."""
    head = raw[:65536].split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]
    found = {m.group(1).lower(): _decode_word(m.group(2)) for m in _SUMMARY_RE.finditer(head)}
    return " — ".join(v for v in (found.get(b"from", ""), found.get(b"subject", "")) if v)[:300]


def _quarantine(raw: bytes, digest: str, *, reason: str, source: str, mailbox: Mailbox | None,
                replay_of: Quarantine | None) -> tuple[Quarantine, bool]:
    """Keep the raw mail with the reason. The same raw mail failing again adds no second entry."""
    store_bytes(raw)  # if even this fails, raise: the transport must not acknowledge the mail
    now = timezone.now()
    if replay_of is not None:
        Quarantine.objects.filter(pk=replay_of.pk).update(reason=reason, last_replayed_at=now)
        replay_of.reason, replay_of.last_replayed_at = reason, now
        return replay_of, False
    existing = Quarantine.objects.filter(raw_sha256=digest, resolved_at__isnull=True).first()
    if existing is not None:
        return existing, False
    return Quarantine.objects.create(
        raw_sha256=digest, size=len(raw), reason=reason, source=source, mailbox=mailbox,
        summary=_summary(raw), received_at=now,
    ), True


__all__ = ["QUARANTINED", "IngestResult", "bounce_reason", "default_team", "ingest_mail", "ingest_mails"]
