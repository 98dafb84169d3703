"""Writes to the mail app's own records (quarantine, mailboxes). Storing mail itself is
ingest.ingest_mail."""

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from anliegen.accounts.models import User
from anliegen.mail.ingest import IngestResult, ingest_mail
from anliegen.mail.models import Mailbox, Quarantine, Source
from anliegen.tickets.actions import ActionError
from anliegen.tickets.storage import read_bytes


def read_raw_mail(sha256: str) -> bytes:
    """The raw bytes of a stored or quarantined mail."""
    try:
        return read_bytes(sha256)
    except FileNotFoundError as exc:
        raise ActionError(_("The raw mail is missing from the attachment store (%(hash)s).")
                          % {"hash": sha256[:12]}) from exc


def read_quarantined_raw(quarantine: Quarantine) -> bytes:
    return read_raw_mail(quarantine.raw_sha256)


@transaction.atomic
def replay_quarantine(*, quarantine: Quarantine, actor: User | None) -> IngestResult:
    """Run the stored raw mail through ingest again (after a fix). On success the entry is
    resolved and points at the stored mail; otherwise it stays open with the new reason."""
    locked = Quarantine.objects.select_for_update().get(pk=quarantine.pk)
    if locked.resolved_at is not None:
        raise ActionError(_("This mail was already resolved."))
    raw = read_quarantined_raw(locked)
    Quarantine.objects.filter(pk=locked.pk).update(replay_count=F("replay_count") + 1)
    result = ingest_mail(raw, source=Source.REPLAY, mailbox=locked.mailbox, replay_of=locked)
    if not result.quarantined:
        Quarantine.objects.filter(pk=locked.pk).update(resolved_by=actor)
    quarantine.refresh_from_db()
    return result


@transaction.atomic
def resolve_quarantine(*, quarantine: Quarantine, actor: User | None) -> Quarantine:
    """Mark an entry dealt with (e.g. spam) without storing it as a case. The raw mail stays."""
    locked = Quarantine.objects.select_for_update().get(pk=quarantine.pk)
    if locked.resolved_at is not None:
        raise ActionError(_("This mail was already resolved."))
    now = timezone.now()
    Quarantine.objects.filter(pk=locked.pk).update(resolved_at=now, resolved_by=actor)
    quarantine.refresh_from_db()
    return quarantine


@transaction.atomic
def save_mailbox(*, mailbox: Mailbox | None, fields: dict[str, Any], actor: User | None) -> Mailbox:
    """Create a mailbox, or change one. An empty password keeps the stored one."""
    fields = dict(fields)
    if mailbox is None:
        return Mailbox.objects.create(**fields)
    if not fields.get("imap_password"):
        fields.pop("imap_password", None)
    locked = Mailbox.objects.select_for_update().get(pk=mailbox.pk)
    where_before = (locked.imap_host, locked.imap_user, locked.imap_folder)
    for name, value in fields.items():
        setattr(locked, name, value)
    if (locked.imap_host, locked.imap_user, locked.imap_folder) != where_before:
        # Another server or folder: its UIDs mean something else; start afresh.
        locked.uid_validity = locked.last_uid = None
    locked.save()
    return locked
