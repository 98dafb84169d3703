"""The SMTP/LMTP listener: a mail server hands incoming mail to Anliegen directly.

`anliegen smtpd --host 127.0.0.1 --port 2525 [--lmtp]` runs it. The recipient address picks
the mailbox (Mailbox.address) and so the team. The listener answers 250 only after
``ingest_mail`` returned, i.e. after the transaction that stored the mail committed; when the
database is unavailable it answers 451 so the sending server keeps the mail and retries.
Mail larger than settings.MAIL_MAX_BYTES is refused with 552 while it is being received.

Ingest is synchronous Django code, so it runs in a small thread pool next to the event
loop; each thread has its own database connection.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections

from anliegen.mail.ingest import ingest_mail
from anliegen.mail.models import Mailbox, Source

log = logging.getLogger(__name__)

# Real mail breaks the 998-character line limit often enough (long HTML lines, base64
# written without folding); refusing it would lose it. Lines up to 64 KiB are accepted.
LINE_LIMIT = 64 * 1024

TEMPORARY_FAILURE = "451 4.3.0 Temporary failure, please try again later"
NO_SUCH_MAILBOX = "550 5.1.1 No such mailbox here"
STORED = "250 2.0.0 Message stored"


class AnliegenSMTP(SMTP):
    line_length_limit = LINE_LIMIT


class AnliegenLMTP(LMTP):
    line_length_limit = LINE_LIMIT


def _normalise(address: str) -> str:
    return address.strip().strip("<>").strip().lower()


def _find_mailbox(address: str) -> tuple[bool, int | None]:
    """Whether mail to this address is accepted, and the mailbox it belongs to.

    While no mailbox is set up at all, every address is accepted (mail goes to the default
    team, see ingest); once mailboxes exist, only their addresses are."""
    close_old_connections()
    try:
        mailbox = Mailbox.objects.filter(address__iexact=_normalise(address), enabled=True).order_by("id").first()
        if mailbox is not None:
            return True, mailbox.pk
        return not Mailbox.objects.filter(enabled=True).exists(), None
    finally:
        close_old_connections()


def _store(raw: bytes, mailbox_id: int | None) -> str:
    """Store one mail (in a worker thread); the SMTP reply to give."""
    close_old_connections()
    try:
        mailbox = Mailbox.objects.filter(pk=mailbox_id).select_related("team").first() if mailbox_id else None
        result = ingest_mail(raw, source=Source.SMTP, mailbox=mailbox)
    except DatabaseError as exc:
        log.warning("database unavailable, mail deferred: %s", exc)
        # A broken connection must not be reused for the next mail.
        _drop_connection()
        return TEMPORARY_FAILURE
    except Exception:
        log.exception("mail could not be stored, deferred")
        _drop_connection()
        return TEMPORARY_FAILURE
    finally:
        close_old_connections()
    if result.quarantined:
        # Kept with the reason; an admin replays it. Accepting it is right: nothing is lost.
        return "250 2.0.0 Message kept for review"
    return STORED


def _drop_connection() -> None:
    try:
        connections["default"].close()
    except Exception:  # already gone
        pass


class IngestHandler:
    """aiosmtpd handler: RCPT picks the mailbox, DATA stores the mail."""

    def __init__(self, *, executor: ThreadPoolExecutor | None = None, lmtp: bool = False) -> None:
        self.executor = executor or ThreadPoolExecutor(max_workers=4, thread_name_prefix="anliegen-smtpd")
        self.lmtp = lmtp

    async def _run(self, function: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.executor, function, *args)

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          rcpt_options: list[str]) -> str:
        try:
            accepted, mailbox_id = await self._run(_find_mailbox, address)
        except Exception as exc:
            log.warning("could not look up the recipient %s: %s", address, exc)
            return TEMPORARY_FAILURE
        if not accepted:
            return NO_SUCH_MAILBOX
        envelope.rcpt_tos.append(address)
        mailboxes = getattr(envelope, "anliegen_mailboxes", [])
        mailboxes.append(mailbox_id)
        envelope.anliegen_mailboxes = mailboxes  # type: ignore[attr-defined]
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        mailboxes = [m for m in getattr(envelope, "anliegen_mailboxes", []) if m is not None]
        # One mail to several of our addresses is stored once (ingest is idempotent); it
        # belongs to the first mailbox it was addressed to.
        reply = await self._run(_store, bytes(raw), mailboxes[0] if mailboxes else None)
        if self.lmtp:
            # LMTP answers DATA once per accepted recipient.
            return "\r\n".join([reply] * max(1, len(envelope.rcpt_tos)))
        return reply


class ListenerController(Controller):
    """aiosmtpd's threaded controller, building Anliegen's SMTP or LMTP server."""

    def __init__(self, handler: IngestHandler, *, lmtp: bool = False, **kwargs: Any) -> None:
        self.lmtp = lmtp
        super().__init__(handler, **kwargs)

    def factory(self) -> SMTP:
        server_class = AnliegenLMTP if self.lmtp else AnliegenSMTP
        return server_class(self.handler, **self.SMTP_kwargs)


def server_options() -> dict[str, Any]:
    return {
        "data_size_limit": settings.MAIL_MAX_BYTES,
        "enable_SMTPUTF8": True,
        "decode_data": False,
        "ident": "Anliegen",
        "timeout": 300,
    }


def start_listener(host: str, port: int, *, lmtp: bool = False) -> ListenerController:
    """Start the listener in a background thread (tests, and the command)."""
    controller = ListenerController(IngestHandler(lmtp=lmtp), lmtp=lmtp, hostname=host, port=port,
                                    **server_options())
    controller.start()
    return controller


def serve(host: str, port: int, *, lmtp: bool = False) -> None:
    """Run the listener until SIGTERM or SIGINT."""
    controller = start_listener(host, port, lmtp=lmtp)
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        loop.run_until_complete(stop.wait())
    finally:
        controller.stop()
        loop.close()
