"""Turn the raw bytes of one e-mail into a ``ParsedMail``.

A pure function: no Django, no database, no I/O. The transport (IMAP, SMTP,
import) calls ``parse_mail``; an action stores the result. Real mail is broken
in every imaginable way, so everything below prefers "keep it and guess" over
"raise": the only exception that leaves ``parse_mail`` is ``MailParseError``,
raised when not even the headers can be read, so the caller can quarantine the
raw bytes with the reason.

The parser is five modules, each with a small interface, arrows pointing one way:
``parsed`` (the result types) and ``charsets`` (decoding bytes) ← ``headers`` (header
values, addresses, ids, dates) ← ``mimewalk`` (the MIME tree: body parts, attachments)
← ``parse`` (this entry point, with the auto-reply and bounce verdicts). No module
imports another's private names; ``test_parser_modules`` checks both.

The standard library's ``compat32`` policy is used on purpose: it never raises
while reading headers and leaves raw 8-bit bytes recoverable (as surrogate
escapes), which lets this module decode them itself.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from email import message_from_bytes
from email.errors import MissingHeaderBodySeparatorDefect
from email.message import Message
from html import escape as escape_html

from anliegen.lib.html import html_to_text, sanitise_html
from anliegen.mail.charsets import codec_name
from anliegen.mail.headers import decode_header, parse_addresses, parse_date, parse_message_ids
from anliegen.mail.mimewalk import PARSE_POLICY, Walk, content_type, header_param, walk_message
from anliegen.mail.parsed import (
    CASE_TOKEN_RE,
    MailParseError,
    ParsedAttachment,
    ParsedMail,
    find_case_token,
    format_case_token,
)

__all__ = [
    "CASE_TOKEN_RE",
    "MailParseError",
    "ParsedAttachment",
    "ParsedMail",
    "find_case_token",
    "format_case_token",
    "html_to_text",
    "parse_mail",
]

# --------------------------------------------------------------------------
# auto-replies and bounces

# Subjects that auto-repliers write (Outlook, Exchange, Lotus, Gmail, Apple Mail in de/da/en).
# Unambiguous phrases count anywhere at the start; plain words that a customer could begin a
# subject with ("Urlaub storniert", "Fravær af levering") count only as a prefix with a colon.
_AUTO_SUBJECT_RE = re.compile(
    r"^\s*(?:\[[^\]]*\]\s*)?(?:"
    r"out of (?:the )?office(?!\s+hours)|auto(?:matic)?[ -]?(?:reply|response|antwort|svar)|autoreply|"
    r"automatische antwort|abwesenheitsnotiz|abwesenheitsmeldung|automatisk svar|autosvar|"
    r"i am out of the office|ich bin (?:nicht im büro|abwesend)|jeg er (?:ikke på kontoret|på ferie)|"
    r"r[ée]ponse automatique|"
    r"(?:abwesend|abwesenheit|fraværende|fravær|ikke til stede|ude af kontoret|away|absence|"
    r"vacation|on vacation|urlaub|ferie)\s*:"
    r")",
    re.IGNORECASE,
)
_BOUNCE_SUBJECT_RE = re.compile(
    r"undeliver|returned mail|delivery status notification \((?:failure|delay)\)|"
    r"mail delivery failed|delivery failure|failure notice|unzustellbar|"
    r"nicht zustellbar|unbestellbar|zustellung fehlgeschlagen|non remis|"
    r"kunne ikke leveres|returned to sender|\(fehlgeschlagen\)|delivery has failed",
    re.IGNORECASE,
)
_BOUNCE_SENDER_RE = re.compile(r"^(?:mailer-daemon|postmaster)\b", re.IGNORECASE)


def automatic_reason(headers: dict[str, str], subject: str) -> str:
    """Why a mail counts as written by a machine (out of office, autoresponder, bulk), or ''.

    Headers first (RFC 3834 Auto-Submitted, Precedence, the vendors' own), then the
    usual out-of-office subjects."""
    auto = headers.get("Auto-Submitted", "").strip().lower()
    if auto and not auto.startswith("no"):
        return f"Auto-Submitted: {auto[:40]}"
    precedence = headers.get("Precedence", "").strip().lower()
    if precedence in {"bulk", "junk", "list", "auto_reply"}:
        return f"Precedence: {precedence}"
    for name in ("X-Autoreply", "X-Autorespond"):
        if headers.get(name):
            return f"{name}: {headers[name].strip()[:40]}"
    suppress = headers.get("X-Auto-Response-Suppress", "").lower()
    if any(token in suppress for token in ("all", "oof", "autoreply")):
        return f"X-Auto-Response-Suppress: {suppress.strip()[:40]}"
    if _AUTO_SUBJECT_RE.match(subject):
        return "Subject"
    return ""


def _is_bounce(
    headers: dict[str, str], from_address: str, subject: str, walk: Walk, report_type: str
) -> bool:
    if walk.is_report and report_type in ("delivery-status", ""):
        return True
    if headers.get("X-Failed-Recipients"):
        return True
    if _BOUNCE_SENDER_RE.match(from_address) and _BOUNCE_SUBJECT_RE.search(subject):
        return True
    return bool(
        _BOUNCE_SENDER_RE.match(from_address)
        and (walk.bounced_message_id or any(a.is_message for a in walk.attachments))
    )


# --------------------------------------------------------------------------
# entry point

_KEPT_HEADERS = (
    "Message-ID",
    "In-Reply-To",
    "References",
    "Return-Path",
    "Sender",
    "Reply-To",
    "Delivered-To",
    "X-Original-To",
    "Resent-From",
    "Auto-Submitted",
    "Precedence",
    "X-Autoreply",
    "X-Autorespond",
    "X-Auto-Response-Suppress",
    "X-Loop",
    "X-Failed-Recipients",
    "List-Id",
    "List-Unsubscribe",
    "X-Mailer",
    "User-Agent",
    "Content-Language",
    "X-Spam-Flag",
    "X-Spam-Status",
    "X-Priority",
    "Importance",
)
_KNOWN_HEADERS = frozenset(
    h.lower()
    for h in (
        "from",
        "to",
        "cc",
        "subject",
        "date",
        "message-id",
        "received",
        "return-path",
        "sender",
        "reply-to",
        "mime-version",
        "content-type",
        "delivered-to",
        "x-mailer",
        "in-reply-to",
        "references",
    )
)


def parse_mail(raw: bytes) -> ParsedMail:
    """Parse one raw e-mail. Raises only ``MailParseError``."""
    if not isinstance(raw, (bytes, bytearray, memoryview)):
        raise MailParseError(f"expected bytes, got {type(raw).__name__}")
    raw = bytes(raw)
    if not raw.strip():
        raise MailParseError("empty message")
    try:
        return _parse(raw)
    except MailParseError:
        raise
    except Exception as exc:  # noqa: BLE001 - the caller quarantines with this reason
        raise MailParseError(f"unexpected parser failure: {exc!r}") from exc


def _first(index: dict[str, list[str]], name: str) -> str | None:
    values = index.get(name)
    return values[0] if values else None


def _parse(raw: bytes) -> ParsedMail:
    # A leading mbox "From " line is not a header; drop it.
    body_raw = raw
    if raw.startswith(b"From "):
        newline = raw.find(b"\n")
        body_raw = raw[newline + 1 :] if newline >= 0 else b""
    msg = message_from_bytes(body_raw, policy=PARSE_POLICY)
    if any(isinstance(d, MissingHeaderBodySeparatorDefect) for d in msg.defects):
        repaired = _repair_header_folding(body_raw)
        if repaired is not None:
            msg = message_from_bytes(repaired, policy=PARSE_POLICY)
    if not msg.is_multipart() and content_type(msg).startswith("multipart/"):
        repaired = _repair_content_type(body_raw)
        if repaired is not None:
            msg = message_from_bytes(repaired, policy=PARSE_POLICY)
    index: dict[str, list[str]] = {}
    for key, value in msg.raw_items():
        index.setdefault(key.lower(), []).append(value if isinstance(value, str) else str(value))
    if not index.keys() & _KNOWN_HEADERS:
        raise MailParseError("no readable mail headers")

    fallback = _charset_hint(msg)

    headers: dict[str, str] = {}
    for name in _KEPT_HEADERS:
        value = _first(index, name.lower())
        if value is not None:
            headers[name] = decode_header(value, fallback)

    from_pairs = parse_addresses(index.get("from", []), fallback)
    from_name, from_address = _pick_sender(from_pairs)
    if not from_address:
        for alt in ("Sender", "Reply-To", "Return-Path"):
            pairs = parse_addresses(index.get(alt.lower(), []), fallback)
            _name, addr = _pick_sender(pairs)
            if addr:
                from_address = addr
                break

    # "To: Recipients" and "undisclosed-recipients:;" name nobody.
    to_pairs = [p for p in parse_addresses(index.get("to", []), fallback) if "@" in p[1]]
    cc_pairs = [p for p in parse_addresses(index.get("cc", []), fallback) if "@" in p[1]]
    reply_to = [a for _n, a in parse_addresses(index.get("reply-to", []), fallback) if "@" in a]

    subject = decode_header(_first(index, "subject"), fallback)
    subject = subject.replace("\r", "").replace("\n", "")

    first_line_end = body_raw.find(b"\n")
    crlf = first_line_end > 0 and body_raw[first_line_end - 1 : first_line_end] == b"\r"
    walk = walk_message(msg, fallback_charset=fallback, linesep="\r\n" if crlf else "\n")

    text, html_raw = _body(walk.bodies)
    html = sanitise_html(html_raw) if html_raw else ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")

    report_type = (header_param(msg, "report-type") or "").lower()
    is_bounce = _is_bounce(headers, from_address, subject, walk, report_type)
    bounced = walk.bounced_message_id if is_bounce else ""
    if is_bounce and not bounced:
        match = re.search(r"^\s*Message-ID:\s*<([^<>\s]+)>", text, re.IGNORECASE | re.MULTILINE)
        bounced = match.group(1) if match else ""

    message_ids = parse_message_ids(_first(index, "message-id"))
    automatic = automatic_reason(headers, subject)
    defects = list(walk.defects)
    for defect in getattr(msg, "defects", []) or []:
        defects.append(type(defect).__name__)

    return ParsedMail(
        from_address=from_address,
        from_name=from_name,
        reply_to=reply_to,
        to=[a for _n, a in to_pairs],
        cc=[a for _n, a in cc_pairs],
        to_display=to_pairs,
        cc_display=cc_pairs,
        subject=subject,
        message_id=message_ids[0] if message_ids else "",
        in_reply_to=parse_message_ids(_first(index, "in-reply-to")),
        references=parse_message_ids(_first(index, "references")),
        date=parse_date(_first(index, "date")),
        text=text,
        html=html,
        attachments=walk.attachments,
        is_auto_reply=bool(automatic),
        automatic_reason=automatic,
        is_bounce=is_bounce,
        bounced_message_id=bounced,
        headers=headers,
        content_hash=hashlib.sha256(raw).hexdigest(),
        language_hint=headers.get("Content-Language", "").split(",")[0].strip(),
        defects=defects,
    )


def _body(bodies: list[tuple[str, str]]) -> tuple[str, str]:
    """The text and the HTML of all body parts, in order.

    A part with HTML only adds its text to the text; with any HTML at all, a part with
    text only is added to the HTML as preformatted text, so neither view misses a part.
    A part that repeats the one before (a mailer sending text and HTML side by side
    instead of as alternatives) is left out."""
    texts: list[str] = []
    htmls: list[str] = []
    any_html = any(rich for _plain, rich in bodies)
    previous = ""
    for plain, rich in bodies:
        if not plain.strip() and not rich.strip():
            continue
        text = plain if plain.strip() else html_to_text(rich)
        key = " ".join(text.split())
        if key and key == previous:
            continue
        previous = key
        texts.append(text)
        if any_html:
            htmls.append(rich or f"<pre>{escape_html(plain)}</pre>")
    return "\n".join(texts), "\n".join(htmls)


def _charset_hint(msg: Message) -> str | None:
    """The charset to try for raw 8-bit headers: the first one the mail declares."""
    if all(value.isascii() for _name, value in msg.raw_items()):
        return None
    declared = []
    for part in msg.walk():
        codec = codec_name(header_param(part, "charset"))
        if codec and codec not in ("ascii", "utf-8"):
            declared.append(codec)
    # A mail that declares a multi-byte charset anywhere is likely written in it,
    # even when another part claims latin-1.
    for codec in declared:
        if codec in _MULTIBYTE_CODECS:
            return codec
    return declared[0] if declared else None


_MULTIBYTE_CODECS = frozenset(
    codecs.lookup(name).name
    for name in ("gb18030", "big5hkscs", "cp949", "shift_jis", "cp932", "euc_jp", "iso2022_jp")
)


_HEADER_LINE_RE = re.compile(rb"^[!-9;-~]+[ \t]*:")


def _repair_header_folding(raw: bytes) -> bytes | None:
    """Fold header lines that lost their leading whitespace.

    Some gateways break long headers (base64 trackers, long subjects) without
    indenting the continuation. The parser then ends the headers early and
    loses From, To and Subject. A stray line is treated as a continuation only
    when real header lines follow it before the blank line.
    """
    head_end = raw.find(b"\n\n")
    crlf_end = raw.find(b"\r\n\r\n")
    if crlf_end >= 0 and (head_end < 0 or crlf_end < head_end):
        head_end = crlf_end
    if head_end < 0:
        return None
    lines = raw[:head_end].split(b"\n")
    bad = [
        i
        for i, line in enumerate(lines)
        if line[:1] not in (b" ", b"\t") and not _HEADER_LINE_RE.match(line)
    ]
    if not bad or not any(_HEADER_LINE_RE.match(line) for line in lines[bad[-1] + 1 :]):
        return None
    for i in bad:
        lines[i] = b" " + lines[i]
    return b"\n".join(lines) + raw[head_end:]


_LOOSE_CTYPE_RE = re.compile(rb"^(Content-Type:[ \t]*[\w.+-]+/[\w.+-]+)[ \t]+(?=[\w-]+[ \t]*=)", re.I | re.M)


def _repair_content_type(raw: bytes) -> bytes | None:
    """Put back the ";" missing before the parameters of the mail's own Content-Type
    ("multipart/mixed boundary=..."), without which its parts cannot be found. Only the
    mail's header block is touched: the parts and attached mails stay byte for byte."""
    head_end = min((i for i in (raw.find(b"\n\n"), raw.find(b"\r\n\r\n")) if i >= 0), default=-1)
    if head_end < 0:
        return None
    head, count = _LOOSE_CTYPE_RE.subn(rb"\1; ", raw[:head_end], count=1)
    return head + raw[head_end:] if count else None


def _pick_sender(pairs: list[tuple[str, str]]) -> tuple[str, str]:
    """The first sender with a real address; else the first with any address."""
    for name, addr in pairs:
        if "@" in addr:
            return name, addr
    for name, addr in pairs:
        if addr:
            return name, addr
    return (pairs[0][0], "") if pairs else ("", "")
