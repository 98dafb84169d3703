"""What parse_mail returns: a parsed mail and its attachments, and the case token format.

The bottom of the parser: imports no other module of it. An attached mail
(``ParsedMail.forwarded``) is read with ``parse_mail(attachment.data)``."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime

# The case token carried in subjects, e.g. "[#A-100042]". One place for its format.
CASE_TOKEN_RE = re.compile(r"\[#([A-Z]-?\d{4,})\]")


def find_case_token(subject: str) -> str | None:
    """Return the case number in the first case token of ``subject``, if any."""
    match = CASE_TOKEN_RE.search(subject or "")
    return match.group(1) if match else None


def format_case_token(number: str) -> str:
    """``"A-100042"`` → ``"[#A-100042]"``."""
    return f"[#{number}]"


class MailParseError(Exception):
    """Raised when a mail is too broken to read; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ParsedAttachment:
    filename: str
    content_type: str
    data: bytes
    content_id: str = ""
    inline: bool = False

    @property
    def md5(self) -> str:
        return hashlib.md5(self.data, usedforsecurity=False).hexdigest()

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def is_message(self) -> bool:
        """A forwarded or bounced mail kept as ``.eml``."""
        return self.content_type == "message/rfc822"


@dataclass(frozen=True, slots=True)
class ParsedMail:
    from_address: str
    from_name: str
    reply_to: list[str]
    to: list[str]
    cc: list[str]
    to_display: list[tuple[str, str]]
    cc_display: list[tuple[str, str]]
    subject: str
    message_id: str
    in_reply_to: list[str]
    references: list[str]
    date: datetime | None
    text: str
    html: str
    attachments: list[ParsedAttachment]
    # Written by a machine (out of office, autoresponder, bulk): never opens a case of its
    # own (see mail.automatic).
    is_auto_reply: bool
    is_bounce: bool
    bounced_message_id: str
    headers: dict[str, str]
    content_hash: str
    language_hint: str
    defects: list[str] = field(default_factory=list)
    # Why is_auto_reply is set ("Auto-Submitted: auto-replied", "Subject", ...), for the list
    # of automatic mail.
    automatic_reason: str = ""

    @property
    def forwarded(self) -> list[ParsedAttachment]:
        """Attached messages (forwards, bounced originals) kept as ``.eml``."""
        return [a for a in self.attachments if a.is_message]

    @property
    def case_token(self) -> str | None:
        return find_case_token(self.subject)
