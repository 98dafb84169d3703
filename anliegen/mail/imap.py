"""IMAP polling: fetch unseen mail from every enabled mailbox and store it.

Mails are fetched in chunks (MAIL_IMAP_BATCH) and each chunk is stored by ``ingest_mails`` in
one transaction. A mail is acknowledged on the server (flagged \\Seen, or moved to the
processed folder) only after that transaction committed.
A crash between the two leaves the mail unseen: it is fetched again on the next poll and
ingest recognises it (same raw bytes, same content hash), so nothing is lost or doubled.

A mailbox that cannot be reached records the error on its row and the poll goes on with
the next mailbox.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from imap_tools import AND, MailBox, MailBoxUnencrypted, MailMessage, MailMessageFlags

from anliegen.mail.ingest import IngestResult, ingest_mails
from anliegen.mail.models import Mailbox, Source

log = logging.getLogger(__name__)


def batch_size() -> int:
    return int(settings.MAIL_IMAP_BATCH)


def timeout() -> float:
    return float(settings.MAIL_IMAP_TIMEOUT)


class RawMail(MailMessage):
    """A fetched mail as the server holds it: the raw bytes (hashed and stored unchanged) and
    its UID. imap-tools' own class would parse every mail with the standard library first,
    which Anliegen's parser does better later."""

    def __init__(self, fetch_data: list) -> None:
        raw, uid_data, flag_data = self._get_message_data_parts(fetch_data)
        self.raw: bytes = bytes(raw)
        self._raw_uid_data = uid_data
        self._raw_flag_data = flag_data


@dataclass
class PollResult:
    """What one poll of one mailbox did."""

    mailbox: str
    fetched: int = 0
    stored: int = 0  # new case messages, bounces, loop notes
    duplicates: int = 0  # seen before (a retry after a crash, or the same mail twice)
    quarantined: int = 0
    acknowledged: int = 0  # flagged or moved on the server
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def __str__(self) -> str:
        text = (f"{self.mailbox}: {self.fetched} fetched, {self.stored} stored, {self.duplicates} duplicates, "
                f"{self.quarantined} quarantined, {self.acknowledged} acknowledged")
        return text + (f"; error: {'; '.join(self.errors)}" if self.errors else "")


def connect(mailbox: Mailbox) -> Any:
    """A logged-in imap-tools mailbox on the configured folder (TLS unless use_ssl is off)."""
    box_class = MailBox if mailbox.use_ssl else MailBoxUnencrypted
    box = box_class(mailbox.imap_host, mailbox.imap_port, timeout=timeout())
    box.email_message_class = RawMail
    try:
        box.login(mailbox.imap_user, mailbox.imap_password, initial_folder=mailbox.imap_folder or "INBOX")
    except BaseException:
        _close(box)
        raise
    return box


def _close(box: Any) -> None:
    try:
        box.logout()
    except Exception:  # the connection may already be gone; nothing to keep
        try:
            box.client.shutdown()
        except Exception:
            pass


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _acknowledge(box: Any, mailbox: Mailbox, uids: list[str]) -> int:
    """Mark stored mails as processed on the server: \\Seen, and moved if a folder is set."""
    if not uids:
        return 0
    box.flag(uids, MailMessageFlags.SEEN, True)
    if mailbox.processed_folder:
        box.move(uids, mailbox.processed_folder)
    return len(uids)


def poll_mailbox(mailbox: Mailbox, *, limit: int | None = None) -> PollResult:
    """Fetch the unseen mails of one mailbox, store each, then acknowledge it on the server.

    Raises nothing: connection, server and database errors end up in result.errors (and
    on the mailbox row, see poll_all)."""
    result = PollResult(mailbox=mailbox.name)
    try:
        box = connect(mailbox)
    except Exception as exc:
        result.errors.append(_describe(exc))
        return result
    try:
        if mailbox.processed_folder and not box.folder.exists(mailbox.processed_folder):
            box.folder.create(mailbox.processed_folder)
        uids = list(box.uids(AND(seen=False)))
        if limit is not None:
            uids = uids[:limit]
        for chunk in _chunks(uids, batch_size()):
            mails = list(box.fetch(uid_list=chunk, mark_seen=False, bulk=True))
            result.fetched += len(mails)
            handled: list[IngestResult] = []
            try:
                ingest_mails([m.raw for m in mails], source=Source.IMAP, mailbox=mailbox, each=handled.append)
            except (OperationalError, InterfaceError):
                handled = []  # the database went away: nothing of the chunk was committed
                raise
            finally:
                # Committed (ingest_mails returned, or kept the mails before one that failed):
                # from here on these mails may be acknowledged.
                for outcome in handled:
                    if outcome.quarantined:
                        result.quarantined += 1
                    elif outcome.stored:
                        result.stored += 1
                    else:
                        result.duplicates += 1
                done = [m.uid for m in mails[:len(handled)] if m.uid]
                result.acknowledged += _acknowledge(box, mailbox, done)
    except Exception as exc:
        log.warning("IMAP poll of %s failed: %s", mailbox.name, exc, exc_info=True)
        result.errors.append(_describe(exc))
    finally:
        _close(box)
    return result


def _describe(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:2000]


def _record(mailbox: Mailbox, result: PollResult) -> None:
    error = "; ".join(result.errors)
    Mailbox.objects.filter(pk=mailbox.pk).update(last_polled_at=timezone.now(), last_error=error)
    mailbox.last_error = error


def polled_mailboxes() -> list[Mailbox]:
    return list(Mailbox.objects.filter(enabled=True).exclude(imap_host="").select_related("team").order_by("id"))


def poll_all(*, limit: int | None = None) -> list[PollResult]:
    """Poll every enabled IMAP mailbox once. A broken mailbox never stops the others."""
    results = []
    for mailbox in polled_mailboxes():
        result = poll_mailbox(mailbox, limit=limit)
        try:
            _record(mailbox, result)
        except Exception as exc:  # the database is away: the next poll records it
            log.warning("could not record the poll of %s: %s", mailbox.name, exc)
            result.errors.append(_describe(exc))
        if result.errors:
            log.warning("%s", result)
        elif result.fetched:
            log.info("%s", result)
        results.append(result)
    return results
