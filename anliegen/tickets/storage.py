"""Attachments stored content-addressed: one file per SHA-256 below ATTACHMENT_DIR.

Files are written before the database row that refers to them; an orphaned file after a
crash is harmless (the same content arriving again reuses it)."""

import hashlib
import os
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _


class AttachmentRejected(ValueError):
    """An attachment that may not be stored; the message is for the user."""


@dataclass(frozen=True)
class IncomingFile:
    filename: str
    content_type: str
    data: bytes
    content_id: str = ""
    inline: bool = False


def path_for(sha256: str) -> Path:
    return Path(settings.ATTACHMENT_DIR) / sha256[:2] / sha256[2:4] / sha256


def checked_name(filename: str) -> str:
    """The name as the customer's or agent's system will treat it: Windows drops trailing dots
    and spaces ("evil.exe." opens as evil.exe), a stream suffix ("evil.exe::$DATA") names the
    file itself, and look-alike characters are folded (NFKC) before the extension is read."""
    name = unicodedata.normalize("NFKC", filename).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")  # controls, bidi marks
    name = name.split(":", 1)[0]
    return name.rstrip(". \t").strip().lower()


def blocked_extension(filename: str) -> str:
    """The blocked extension filename carries (after checked_name), or ""."""
    name = checked_name(filename)
    extension = name.rsplit(".", 1)[-1] if "." in name else ""
    return extension if extension in settings.ATTACHMENT_BLOCKED_EXTENSIONS else ""


def check_file(filename: str, size: int, *, max_bytes: int | None = None) -> None:
    limit = settings.ATTACHMENT_MAX_BYTES if max_bytes is None else max_bytes
    if size > limit:
        raise AttachmentRejected(
            _("%(name)s is too large (%(size)d MB); the limit is %(limit)d MB.")
            % {"name": filename, "size": max(1, size // (1024 * 1024)), "limit": limit // (1024 * 1024)}
        )
    extension = blocked_extension(filename)
    if extension:
        raise AttachmentRejected(
            _("Files of type .%(ext)s are not accepted (%(name)s).") % {"ext": extension, "name": filename}
        )


def store_bytes(data: bytes) -> str:
    """Write data once under its hash; return the hash."""
    digest = hashlib.sha256(data).hexdigest()
    target = path_for(digest)
    if target.exists():
        return digest
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return digest


def read_bytes(sha256: str) -> bytes:
    return path_for(sha256).read_bytes()
