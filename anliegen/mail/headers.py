"""Header decoding: encoded words, raw 8-bit headers, addresses, Message-IDs, dates.

Interface: ``decode_header``, ``decode_8bit_header``, ``unfold``, ``raw_header``,
``parse_addresses``, ``parse_message_ids``, ``parse_date``. Depends on ``charsets`` only."""

from __future__ import annotations

import binascii
import re
from datetime import UTC, datetime
from email import utils
from email.message import Message

from anliegen.mail.charsets import codec_name, decode_bytes

# --------------------------------------------------------------------------
# headers

_ENCODED_WORD_RE = re.compile(
    r"=\?([^?\s\"]+)\?([QqBb])\?(.*?)\?=",
    re.DOTALL,
)
_FOLD_RE = re.compile(r"\r?\n[ \t]*")
_QP_HEX_RE = re.compile(rb"=([0-9A-Fa-f]{2})")


def _raw_header_bytes(value: str) -> bytes:
    # compat32 keeps non-ASCII header bytes as surrogate escapes.
    return value.encode("ascii", "surrogateescape")


def unfold(value: str) -> str:
    if "\n" in value:
        value = _FOLD_RE.sub(" ", value)
    return value


def decode_8bit_header(value: str, fallback_charset: str | None) -> str:
    """Decode a header with raw 8-bit bytes in it."""
    try:
        raw = _raw_header_bytes(value)
    except UnicodeEncodeError:
        return value  # already text
    try:
        return raw.decode("utf-8")  # by far the most common 8-bit header
    except UnicodeDecodeError:
        pass
    codec = codec_name(fallback_charset)
    if codec and codec != "utf-8":
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            pass
    return decode_bytes(raw, None)


def _decode_word_payload(encoding: str, payload: str) -> bytes:
    if encoding in "Bb":
        payload = re.sub(r"[^A-Za-z0-9+/]", "", payload)
        payload += "=" * (-len(payload) % 4)
        try:
            return binascii.a2b_base64(payload)
        except (binascii.Error, ValueError):
            return payload.encode("ascii", "ignore")
    raw = payload.replace("_", " ").encode("latin-1", "surrogateescape")
    return _QP_HEX_RE.sub(lambda m: bytes([int(m.group(1), 16)]), raw)


def _decode_encoded_words(value: str, *, quote_specials: bool = False) -> str:
    """Decode RFC 2047 words leniently.

    Adjacent words in the same charset are joined as bytes before decoding,
    because senders split multi-byte characters across words. Whitespace between
    adjacent encoded words is dropped, as the RFC says. With ``quote_specials``
    (address headers) decoded text with commas and the like becomes a quoted
    string, so that "=?..?Q?M=FCller,_Bernd?= <b@x>" stays one address.
    """
    out: list[str] = []
    pos = 0
    pending: list[tuple[str, bytes, int, int]] = []  # codec, bytes, start, end

    def flush() -> None:
        if not pending:
            return
        start = pending[0][2]
        text_parts: list[str] = []
        current_codec = pending[0][0]
        buf = b""
        for word_codec, data, _s, _e in pending:
            if word_codec != current_codec:
                text_parts.append(decode_bytes(buf, current_codec))
                buf = b""
                current_codec = word_codec
            buf += data
        text_parts.append(decode_bytes(buf, current_codec))
        text = "".join(text_parts)
        if (
            quote_specials
            and re.search(r"[,;<>@:\"\\()\[\]]", text)
            and not _inside_quotes(value, start)
        ):
            text = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
        elif quote_specials and _inside_quotes(value, start):
            text = text.replace("\\", "\\\\").replace('"', '\\"')
        out.append(text)
        pending.clear()

    for match in _ENCODED_WORD_RE.finditer(value):
        between = value[pos : match.start()]
        if pending and between.strip() == "":
            pass  # whitespace between encoded words disappears
        else:
            flush()
            out.append(between)
        charset = match.group(1)
        data = _decode_word_payload(match.group(2), match.group(3))
        pending.append((charset.lower(), data, match.start(), match.end()))
        pos = match.end()
    flush()
    out.append(value[pos:])
    return "".join(out)


def _inside_quotes(value: str, index: int) -> bool:
    inside = False
    escaped = False
    for char in value[:index]:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            inside = not inside
    return inside


def decode_header(value: str | None, fallback_charset: str | None = None) -> str:
    """A header value as readable text (unfolded, encoded words decoded).

    Whitespace is stripped from the raw value, not from the decoded text: an
    encoded trailing space is part of what the sender wrote.
    """
    if not value:
        return ""
    if not isinstance(value, str):  # compat32 may hand out Header objects
        value = str(value)
    value = unfold(value).strip()
    if not value.isascii():
        value = decode_8bit_header(value, fallback_charset)
    if "=?" in value:
        value = _decode_encoded_words(value)
    return value


def raw_header(msg: Message, name: str) -> str | None:
    """The raw value of a header (8-bit bytes as surrogate escapes), or None.

    ``raw_items`` instead of ``get``: compat32 turns 8-bit values into Header
    objects whose ``str()`` replaces the bytes this module wants to decode.
    """
    name = name.lower()
    for key, value in msg.raw_items():
        if key.lower() == name:
            return value if isinstance(value, str) else str(value)
    return None


_ADDR_CLEAN_RE = re.compile(r"^[\s<\"']+|[\s>\"']+$")


def parse_addresses(
    values: list[str], fallback_charset: str | None = None
) -> list[tuple[str, str]]:
    """(display name, lower-cased address) pairs; entries without address kept with ''."""
    result: list[tuple[str, str]] = []
    for raw in values:
        value = unfold(raw)
        if not value.isascii():
            value = decode_8bit_header(value, fallback_charset)
        if "=?" in value:
            value = _decode_encoded_words(value, quote_specials=True)
        try:
            pairs = utils.getaddresses([value])
        except Exception:  # noqa: BLE001
            pairs = [("", value)]
        for name, addr in pairs:
            name = name.strip()
            addr = _ADDR_CLEAN_RE.sub("", addr.strip())
            if "@" not in addr and _BARE_ADDR_RE.match(name):
                name, addr = addr, name  # "Name (user@example.com)": the address sits in a comment
            if not name and not addr:
                continue
            result.append((name, addr.lower()))
    return result


_BARE_ADDR_RE = re.compile(r"^[^\s@<>()\"]+@[^\s@<>()\"]+\.[^\s@<>()\"]+$")
_MSGID_RE = re.compile(r"<([^<>\s]+)>")


def parse_message_ids(value: str | None) -> list[str]:
    if not value:
        return []
    value = unfold(value)
    ids = _MSGID_RE.findall(value)
    if ids:
        return ids
    # Unbracketed ids: keep tokens that look like ids (contain "@").
    return [tok.strip("<>,;") for tok in value.split() if "@" in tok]


def parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = utils.parsedate_to_datetime(unfold(value).strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


