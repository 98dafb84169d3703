"""Turn the raw bytes of one e-mail into a ``ParsedMail``.

A pure function: no Django, no database, no I/O. The transport (IMAP, SMTP,
import) calls ``parse_mail``; an action stores the result. Real mail is broken
in every imaginable way, so everything below prefers "keep it and guess" over
"raise": the only exception that leaves ``parse_mail`` is ``MailParseError``,
raised when not even the headers can be read, so the caller can quarantine the
raw bytes with the reason.

The standard library's ``compat32`` policy is used on purpose: it never raises
while reading headers and leaves raw 8-bit bytes recoverable (as surrogate
escapes), which lets this module decode them itself.
"""

from __future__ import annotations

import binascii
import codecs
import hashlib
import html as html_lib
import mimetypes
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, utils
from email.errors import MissingHeaderBodySeparatorDefect
from email.generator import BytesGenerator
from email.policy import Compat32
from io import BytesIO
from email.message import Message
from html.parser import HTMLParser

import nh3

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

    def as_mail(self) -> ParsedMail:
        """Parse an attached message (raises ``MailParseError`` like ``parse_mail``)."""
        return parse_mail(self.data)


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
    is_auto_reply: bool
    is_bounce: bool
    bounced_message_id: str
    headers: dict[str, str]
    content_hash: str
    language_hint: str
    defects: list[str] = field(default_factory=list)

    @property
    def forwarded(self) -> list[ParsedAttachment]:
        """Attached messages (forwards, bounced originals) kept as ``.eml``."""
        return [a for a in self.attachments if a.is_message]

    @property
    def case_token(self) -> str | None:
        return find_case_token(self.subject)


# --------------------------------------------------------------------------
# charsets

# Labels that lie or that Python does not know under that name.
_CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "x-euc-cn": "gb18030",
    "big5": "big5hkscs",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "euc-kr": "cp949",
    "iso-8859-1": "cp1252",  # senders mean windows-1252 when they say latin-1
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",  # 8-bit bytes under "us-ascii" are almost always cp1252
    "ascii": "cp1252",
    "iso-8859-8-i": "iso-8859-8",
    "iso-8859-6-i": "iso-8859-6",
    "unicode-1-1-utf-7": "utf-7",
    "x-unicode-2-0-utf-7": "utf-7",
    "utf7": "utf-7",
    "x-sjis": "shift_jis",
    "shift-jis": "shift_jis",
    "sjis": "cp932",
    "windows-31j": "cp932",
    "x-mac-roman": "mac_roman",
    "macintosh": "mac_roman",
    "ansi_x3.4-1968": "cp1252",
    "default": "",
    "unknown-8bit": "",
    "x-unknown": "",
    "iso-gb2312": "gb18030",
    "chinese": "gb18030",
    "x-user-defined": "",
    "charset": "",
}


def _codec(label: str | None) -> str:
    """A Python codec name for a MIME charset label, or '' when unknown."""
    if not label:
        return ""
    label = label.strip().strip("\"'").lower()
    if "*" in label:  # RFC 2231 language suffix: "utf-8*de"
        label = label.split("*", 1)[0]
    label = _CHARSET_ALIASES.get(label, label)
    if not label:
        return ""
    try:
        return codecs.lookup(label).name
    except LookupError:
        return ""


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Decode text of a mail part: declared charset, utf-8, detection, cp1252.

    The happy path is one strict decode; detection only runs when both the
    declared charset and utf-8 fail.
    """
    if not data:
        return ""
    codec = _codec(declared)
    if codec in _SINGLE_BYTE_CODECS and not data.isascii():
        # Single-byte charsets accept any bytes, so a lying label would always
        # "work". Valid non-ASCII UTF-8 is practically never meant as latin-1.
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    if codec:
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            pass
    if codec != "utf-8":
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    if data.isascii():  # e.g. iso-2022-jp or utf-7 without a (correct) label
        if b"\x1b$" in data or b"\x1b(" in data:
            try:
                return data.decode("iso2022_jp_2")
            except UnicodeDecodeError:
                pass
        return data.decode("ascii")
    mixed = _decode_mostly_utf8(data)
    if mixed is not None:
        return mixed
    if _looks_like_gb(data):
        return data.decode("gb18030", errors="replace")
    # Detectors guess wildly on a handful of bytes ("café" becomes Chinese):
    # only ask one when there is enough text to judge.
    if len(_HIGH_RUN_RE.findall(data[:65536])) >= 8:
        detected = _detect(data)
        if detected:
            return detected
    return (
        data.decode("cp1252", errors="replace")
        if codec == ""
        else data.decode(codec, errors="replace")
    )


_SINGLE_BYTE_CODECS = frozenset(
    codecs.lookup(name).name
    for name in ("ascii", "cp1252", "latin-1", "iso8859-15", "iso8859-2", "cp1250", "mac_roman")
)


def _cp1252_for_bad_bytes(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    bad = error.object[error.start : error.end]
    return bad.decode("cp1252", errors="ignore") or bad.decode("latin-1"), error.end


codecs.register_error("anliegen-cp1252", _cp1252_for_bad_bytes)

_UTF8_MULTIBYTE_RE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_HIGH_RUN_RE = re.compile(rb"[\x80-\xff]+")


def _decode_mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a few stray latin-1/cp1252 bytes (pasted text, broken gateways).

    When most non-ASCII bytes form valid UTF-8 sequences, decode those as UTF-8
    and only the stray bytes as cp1252, instead of mis-decoding the whole text.
    """
    valid = sum(len(m) for m in _UTF8_MULTIBYTE_RE.findall(data))
    high = sum(len(m) for m in _HIGH_RUN_RE.findall(data))
    if not valid or valid * 2 < high:
        return None
    return data.decode("utf-8", errors="anliegen-cp1252")


def _looks_like_gb(data: bytes) -> bool:
    """Chinese in GB2312/GBK with few characters, where detectors guess cp125x.

    Every run of 8-bit bytes is made of byte pairs with GB2312 lead bytes;
    Latin text in cp1252 has single accented letters between ASCII ones.
    """
    runs = _HIGH_RUN_RE.findall(data[:65536])
    if not runs or any(len(run) % 2 for run in runs) or max(map(len, runs)) < 4:
        return False
    if any(not 0xA1 <= run[i] <= 0xF7 for run in runs for i in range(0, len(run), 2)):
        return False
    try:
        data.decode("gb18030")
    except UnicodeDecodeError:
        return False
    return True


def _detect(data: bytes) -> str:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - installed with the project
        return ""
    try:
        best = from_bytes(data[:65536]).best()
        if best is None or not best.encoding:
            return ""
        return data.decode(best.encoding, errors="replace")
    except Exception:  # noqa: BLE001 - a detector bug must not lose the mail
        return ""


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


def _unfold(value: str) -> str:
    if "\n" in value:
        value = _FOLD_RE.sub(" ", value)
    return value


def _decode_8bit_header(value: str, fallback_charset: str | None) -> str:
    """Decode a header with raw 8-bit bytes in it."""
    try:
        raw = _raw_header_bytes(value)
    except UnicodeEncodeError:
        return value  # already text
    try:
        return raw.decode("utf-8")  # by far the most common 8-bit header
    except UnicodeDecodeError:
        pass
    codec = _codec(fallback_charset)
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
        for codec_name, data, _s, _e in pending:
            if codec_name != current_codec:
                text_parts.append(decode_bytes(buf, current_codec))
                buf = b""
                current_codec = codec_name
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
    value = _unfold(value).strip()
    if not value.isascii():
        value = _decode_8bit_header(value, fallback_charset)
    if "=?" in value:
        value = _decode_encoded_words(value)
    return value


def _get(msg: Message, name: str) -> str | None:
    """The raw value of a header (8-bit bytes as surrogate escapes), or None.

    ``raw_items`` instead of ``get``: compat32 turns 8-bit values into Header
    objects whose ``str()`` replaces the bytes this module wants to decode.
    """
    name = name.lower()
    for key, value in msg.raw_items():
        if key.lower() == name:
            return value if isinstance(value, str) else str(value)
    return None


def _get_all(msg: Message, name: str) -> list[str]:
    name = name.lower()
    return [
        value if isinstance(value, str) else str(value)
        for key, value in msg.raw_items()
        if key.lower() == name
    ]


_ADDR_CLEAN_RE = re.compile(r"^[\s<\"']+|[\s>\"']+$")


def parse_addresses(
    values: list[str], fallback_charset: str | None = None
) -> list[tuple[str, str]]:
    """(display name, lower-cased address) pairs; entries without address kept with ''."""
    result: list[tuple[str, str]] = []
    for raw in values:
        value = _unfold(raw)
        if not value.isascii():
            value = _decode_8bit_header(value, fallback_charset)
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
    value = _unfold(value)
    ids = _MSGID_RE.findall(value)
    if ids:
        return ids
    # Unbracketed ids: keep tokens that look like ids (contain "@").
    return [tok.strip("<>,;") for tok in value.split() if "@" in tok]


def parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = utils.parsedate_to_datetime(_unfold(value).strip())
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


# --------------------------------------------------------------------------
# HTML

_BLOCK_TAGS = frozenset(
    "address article aside blockquote center dd details dialog div dl dt fieldset "
    "figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr main nav ol p "
    "pre section summary table tbody thead tfoot ul caption".split()
)
# Elements that start a new line but, unlike paragraphs, add no blank line.
_LINE_TAGS = frozenset({"li", "tr", "dt", "dd", "option"})
_PRE_SPACE = "\ue000"  # protects <pre> indentation from the line stripping
_SKIP_TAGS = frozenset({"script", "style", "head", "title", "template", "noscript", "xml"})
_WS_RE = re.compile(r"[ \t\r\n\f\v]+")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip += 1
        elif tag == "br" or tag in _LINE_TAGS:
            self.parts.append("\n")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
            if tag == "pre":
                self.pre += 1
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            if self.skip:
                self.skip -= 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
            if tag == "pre" and self.pre:
                self.pre -= 1

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.pre:
            data = data.replace(" ", _PRE_SPACE)
        else:
            data = _WS_RE.sub(" ", data)
        self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Readable plain text from HTML: no script/style, line breaks at blocks."""
    if not markup:
        return ""
    parser = _TextExtractor()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:  # noqa: BLE001 - HTMLParser is lenient, but be sure
        return html_lib.unescape(re.sub(r"<[^>]*>", " ", markup))
    text = "".join(parser.parts).replace("\xa0", " ")
    lines = [line.strip(" ") for line in text.split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip().replace(_PRE_SPACE, " ")


_NH3_ATTRIBUTES = {
    "*": {"style", "lang", "dir", "title", "align", "class"},
    "a": {"href", "name", "target"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "valign", "width"},
    "th": {"colspan", "rowspan", "valign", "width"},
    "table": {"width", "border", "cellpadding", "cellspacing"},
    "font": {"color", "face", "size"},
    "ol": {"start", "type"},
}
_NH3_TAGS = set(nh3.ALLOWED_TAGS) | {"font"}
_NH3_SCHEMES = {"http", "https", "mailto", "tel", "cid", "data"}


def sanitize_html(markup: str) -> str:
    if not markup:
        return ""
    try:
        return nh3.clean(
            markup,
            tags=_NH3_TAGS,
            clean_content_tags={"script", "style", "template", "noscript"},
            attributes=_NH3_ATTRIBUTES,
            url_schemes=_NH3_SCHEMES,
        ).strip()
    except Exception:  # noqa: BLE001 - never lose the text over the markup
        return html_lib.escape(html_to_text(markup))


# --------------------------------------------------------------------------
# MIME walk

_UU_BEGIN_RE = re.compile(r"^begin [0-7]{3,4} (\S[^\r\n]*)$", re.MULTILINE)


def _extract_uuencoded(text: str) -> tuple[str, list[tuple[str, bytes]]]:
    """Split uuencoded files out of a plain-text body."""
    if "begin " not in text:
        return text, []
    files: list[tuple[str, bytes]] = []
    out: list[str] = []
    pos = 0
    for match in _UU_BEGIN_RE.finditer(text):
        if match.start() < pos:
            continue
        end = text.find("\nend", match.end())
        if end < 0:
            continue
        data = bytearray()
        ok = True
        for line in text[match.end() : end].splitlines():
            if not line:
                continue
            try:
                data += binascii.a2b_uu(line)
            except binascii.Error:
                # Some encoders write too many pad characters; trust the length byte.
                try:
                    nbytes = (ord(line[0]) - 32) & 63
                    data += binascii.a2b_uu(line[: ((nbytes + 2) // 3) * 4 + 1])
                except (binascii.Error, IndexError):
                    ok = False
                    break
        if not ok:
            continue
        out.append(text[pos : match.start()])
        files.append((match.group(1).strip(), bytes(data)))
        end_line = text.find("\n", end + 1)
        pos = len(text) if end_line < 0 else end_line + 1
    if not files:
        return text, []
    out.append(text[pos:])
    return "".join(out), files


_CHARSET_PARAM_RE = re.compile(r"charset\s*=\s*\"?([A-Za-z0-9_.:+-]+)", re.IGNORECASE)


def _param(part: Message, name: str, header: str = "content-type", hint: str | None = None) -> str:
    raw_value = _get(part, header)
    if raw_value is None:
        return ""
    try:
        if raw_value.isascii():
            value = part.get_param(name, header=header)
        else:
            # 8-bit parameters (raw UTF-8 file names): decode first, then parse.
            scratch = Message()
            own = _CHARSET_PARAM_RE.search(_get(part, "content-type") or "")
            scratch[header] = _decode_8bit_header(_unfold(raw_value), own.group(1) if own else hint)
            value = scratch.get_param(name, header=header)
    except Exception:  # noqa: BLE001
        return ""
    if value is None:
        return ""
    if isinstance(value, tuple):  # RFC 2231: (charset, language, value)
        charset, _lang, text = value
        try:
            raw = text.encode("latin-1", "surrogateescape")
        except UnicodeEncodeError:
            return str(text)
        return decode_bytes(raw, charset or "utf-8")
    return decode_header(utils.unquote(value) if isinstance(value, str) else str(value))


def _content_type(part: Message) -> str:
    try:
        ctype = part.get_content_type()
    except Exception:  # noqa: BLE001
        return "application/octet-stream"
    ctype = ctype.lower()
    # A few senders write "image/jpeg; name=..." with garbage; keep type/subtype only.
    return ctype if _CTYPE_RE.match(ctype) else "application/octet-stream"


_CTYPE_RE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")


def _payload_bytes(part: Message) -> bytes:
    cte = (_get(part, "Content-Transfer-Encoding") or "").strip().lower()
    if cte == "base64":
        raw = part.get_payload()
        if isinstance(raw, str):
            return _decode_base64(raw.encode("ascii", "surrogateescape"))
    try:
        data = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001 - fall back to the undecoded payload
        data = None
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    if isinstance(raw, str):
        return raw.encode("ascii", "surrogateescape")
    return b""


class _RawPolicy(Compat32):
    """compat32 that keeps every header exactly as received.

    The stored value keeps its leading whitespace and its folding, so an
    attached message written out again (``fold_binary``) is byte-identical to
    what the sender attached. Readers get the value without leading whitespace.
    """

    def header_source_parse(self, sourcelines: list[str]) -> tuple[str, str]:
        name, value = sourcelines[0].split(":", 1)
        value = value + "".join(sourcelines[1:])
        return name, value.rstrip("\r\n")

    def header_fetch_parse(self, name: str, value: str) -> str:  # type: ignore[override]
        return super().header_fetch_parse(name, value.lstrip(" \t"))

    def fold_binary(self, name: str, value: str) -> bytes:
        return (name + ":" + value + self.linesep).encode("ascii", "surrogateescape")


_PARSE_POLICY = _RawPolicy()
_EML_POLICIES = {sep: _RawPolicy(linesep=sep) for sep in ("\n", "\r\n")}


_NOT_BASE64_RE = re.compile(rb"[^A-Za-z0-9+/]")


def _decode_base64(data: bytes) -> bytes:
    """Base64 that tolerates junk characters, missing padding and a dangling char."""
    try:
        return binascii.a2b_base64(data)
    except (binascii.Error, ValueError):
        pass
    clean = _NOT_BASE64_RE.sub(b"", data.split(b"=", 1)[0])
    clean = clean[: len(clean) - (len(clean) % 4 == 1)]
    clean += b"=" * (-len(clean) % 4)
    try:
        return binascii.a2b_base64(clean)
    except (binascii.Error, ValueError):
        return data


def _message_bytes(part: Message, linesep: str = "\n") -> bytes:
    """The body of a message/* part (an attached mail, a delivery report) as bytes.

    compat32 parses these bodies into sub-messages; generating the part again
    and cutting off its own headers gives back the original bytes.
    """
    payload = part.get_payload()
    if not isinstance(payload, list):
        return _payload_bytes(part)
    buffer = BytesIO()
    try:
        BytesGenerator(buffer, mangle_from_=False, policy=_EML_POLICIES[linesep]).flatten(part)
    except Exception:  # noqa: BLE001
        return _payload_bytes(part)
    data = buffer.getvalue()
    if linesep == "\n" and b"\r\n" in data:
        data = data.replace(b"\r\n", b"\n")
    separator = (linesep * 2).encode()
    cut = data.find(separator)
    return data[cut + len(separator) :] if cut >= 0 else b""


_EXT_FALLBACK = {
    "text/plain": ".txt",
    "text/html": ".html",
    "image/jpeg": ".jpg",
    "image/jpg": ".jpg",
    "image/pjpeg": ".jpg",
    "message/delivery-status": ".txt",
    "message/rfc822": ".eml",
    "text/calendar": ".ics",
    "application/pgp-signature": ".asc",
    "application/pgp-encrypted": "",
    "application/octet-stream": "",
}
_BASENAME_BY_MAJOR = {"text": "document", "image": "image", "video": "video", "audio": "audio"}


def _default_filename(ctype: str, description: str) -> str:
    ext = _EXT_FALLBACK.get(ctype)
    if ext is None:
        ext = mimetypes.guess_extension(ctype, strict=False) or ""
    if ctype == "message/delivery-status":
        return (description or "delivery-status") + ".txt"
    if not ext:
        return "file"
    base = _BASENAME_BY_MAJOR.get(ctype.split("/", 1)[0], "file")
    return base + ext


def _is_text_transfer(part: Message) -> bool:
    cte = (_get(part, "Content-Transfer-Encoding") or "7bit").strip().lower()
    return cte in ("7bit", "quoted-printable", "")


@dataclass
class _Walk:
    fallback_charset: str | None
    linesep: str = "\n"
    texts: list[str] = field(default_factory=list)
    htmls: list[str] = field(default_factory=list)
    attachments: list[ParsedAttachment] = field(default_factory=list)
    bounced_message_id: str = ""
    is_report: bool = False
    defects: list[str] = field(default_factory=list)
    names: set[str] = field(default_factory=set)

    def add_attachment(
        self, filename: str, ctype: str, data: bytes, content_id: str = "", inline: bool = False
    ) -> None:
        filename = _safe_filename(filename) or "file"
        if filename in self.names:
            stem, dot, ext = filename.rpartition(".")
            if not dot:
                stem, ext = filename, ""
            n = 1
            while True:
                candidate = f"{stem}{n}.{ext}" if dot else f"{stem}{n}"
                if candidate not in self.names:
                    filename = candidate
                    break
                n += 1
        self.names.add(filename)
        self.attachments.append(ParsedAttachment(filename, ctype, data, content_id, inline))


_UNSAFE_NAME_RE = re.compile(r"[\x00-\x1f\\/]+")


def _safe_filename(name: str) -> str:
    name = _UNSAFE_NAME_RE.sub("_", name).strip().strip(".")
    return name[:255]


def _filename(part: Message, hint: str | None = None) -> str:
    name = _param(part, "filename", "content-disposition", hint)
    if not name:
        name = _param(part, "name", hint=hint)
    return name.strip()


def _disposition(part: Message) -> str:
    value = _get(part, "Content-Disposition")
    if not value:
        return ""
    return value.split(";", 1)[0].strip().lower()


def _content_id(part: Message) -> str:
    value = _get(part, "Content-ID")
    if not value:
        return ""
    return _unfold(value).strip().strip("<>").strip()


def _part_charset(part: Message, walk: _Walk) -> str | None:
    charset = _param(part, "charset")
    return charset or walk.fallback_charset


def _walk_part(part: Message, walk: _Walk, *, in_related: bool = False, depth: int = 0) -> None:
    if depth > 50:  # absurd nesting: keep what is left as one blob
        walk.add_attachment("file", "application/octet-stream", _payload_bytes(part))
        return
    try:
        _walk_part_inner(part, walk, in_related=in_related, depth=depth)
    except Exception as exc:  # noqa: BLE001 - one broken part must not lose the mail
        walk.defects.append(f"part could not be read: {exc!r}")
        try:
            data = part.as_bytes()
        except Exception:  # noqa: BLE001
            data = b""
        walk.add_attachment("part.eml", "application/octet-stream", data)


def _walk_part_inner(part: Message, walk: _Walk, *, in_related: bool, depth: int) -> None:
    ctype = _content_type(part)
    main = ctype.split("/", 1)[0]

    disposition = _disposition(part)
    filename = _filename(part, walk.fallback_charset)

    if main == "message" or ctype == "text/rfc822-headers":
        if ctype in ("message/rfc822", "text/rfc822-headers") and not walk.bounced_message_id:
            walk.bounced_message_id = _inner_message_id(part, ctype)
        _as_attachment(part, walk, ctype)
        return

    if part.is_multipart():
        children = [c for c in part.get_payload() if isinstance(c, Message)]
        if ctype == "multipart/alternative":
            _walk_alternative(children, walk, in_related=in_related, depth=depth)
        elif ctype == "multipart/signed" and len(children) >= 2:
            _walk_part(children[0], walk, in_related=in_related, depth=depth + 1)
            for child in children[1:]:
                _as_attachment(child, walk, _content_type(child))
        elif ctype == "multipart/encrypted":
            for child in children:
                _as_attachment(child, walk, _content_type(child))
        elif ctype == "multipart/report":
            walk.is_report = True
            for child in children:
                _walk_part(child, walk, in_related=in_related, depth=depth + 1)
        else:
            related = ctype == "multipart/related"
            for child in children:
                _walk_part(child, walk, in_related=related or in_related, depth=depth + 1)
        return

    if (
        ctype in ("application/ms-tnef", "application/vnd.ms-tnef")
        or filename.lower() == "winmail.dat"
    ):
        _walk_tnef(part, walk, filename or "winmail.dat", ctype)
        return

    is_body_text = (
        ctype in ("text/plain", "text/html")
        and disposition != "attachment"
        and not (filename and _has_body(walk))
    )
    if is_body_text:
        if ctype == "text/html":
            if walk.htmls:
                _as_attachment(part, walk, ctype, in_related=in_related)
                return
            walk.htmls.append(decode_bytes(_payload_bytes(part), _part_charset(part, walk)))
            return
        if walk.texts or walk.htmls:
            _as_attachment(part, walk, ctype, in_related=in_related)
            return
        text = decode_bytes(_payload_bytes(part), _part_charset(part, walk))
        cte = (_get(part, "Content-Transfer-Encoding") or "").strip().lower()
        if "uue" not in cte:
            text, files = _extract_uuencoded(text)
            for name, blob in files:
                guessed = mimetypes.guess_type(name, strict=False)[0] or "application/octet-stream"
                walk.add_attachment(name, guessed, blob)
        walk.texts.append(text)
        return

    _as_attachment(part, walk, ctype, in_related=in_related)


def _has_body(walk: _Walk) -> bool:
    return bool(walk.texts or walk.htmls)


def _walk_alternative(
    children: list[Message], walk: _Walk, *, in_related: bool, depth: int
) -> None:
    # Read every alternative into a scratch walk, then keep the first plain text
    # and the richest HTML; attachments inside alternatives (rare) are kept.
    plain: str | None = None
    rich: str | None = None
    for child in children:
        sub = _Walk(walk.fallback_charset, walk.linesep)
        sub.names = walk.names
        _walk_part(child, sub, in_related=in_related, depth=depth + 1)
        if sub.texts and plain is None:
            plain = "\n".join(sub.texts)
        if sub.htmls:
            rich = "\n".join(sub.htmls)
        walk.attachments.extend(sub.attachments)
        walk.defects.extend(sub.defects)
        walk.bounced_message_id = walk.bounced_message_id or sub.bounced_message_id
    if plain is not None:
        walk.texts.append(plain)
    if rich is not None:
        walk.htmls.append(rich)


def _inner_message_id(part: Message, ctype: str) -> str:
    try:
        if ctype == "message/rfc822":
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            if isinstance(inner, Message):
                ids = parse_message_ids(_get(inner, "Message-ID"))
                return ids[0] if ids else ""
        text = decode_bytes(_payload_bytes(part), "utf-8")
        match = re.search(r"^Message-ID:\s*<([^<>\s]+)>", text, re.IGNORECASE | re.MULTILINE)
        return match.group(1) if match else ""
    except Exception:  # noqa: BLE001
        return ""


def _as_attachment(part: Message, walk: _Walk, ctype: str, *, in_related: bool = False) -> None:
    # Parts sent as 7bit or quoted-printable are line-oriented text whose CRLF is
    # transport framing: store them with "\n" as a mail client saving them would.
    # 8bit, binary and base64 parts stay byte-exact.
    text_transfer = _is_text_transfer(part)
    if ctype.startswith("message/"):
        data = _message_bytes(part, "\n" if text_transfer else walk.linesep)
    else:
        data = _payload_bytes(part)
        if text_transfer and b"\r\n" in data:
            data = data.replace(b"\r\n", b"\n")
    filename = _filename(part, walk.fallback_charset)
    description = decode_header(_get(part, "Content-Description"))
    if not filename:
        if ctype == "message/rfc822":
            filename = (_inner_subject(part) or description or "message") + ".eml"
        else:
            filename = _default_filename(ctype, description)
    content_id = _content_id(part)
    if not _filename(part, walk.fallback_charset) and _CID_NAME_RE.match(content_id):
        filename = content_id.split("@", 1)[0]  # Outlook: <image001.jpg@01CDB132.D8A510F0>
    disposition = _disposition(part)
    inline = disposition == "inline" or (
        bool(content_id) and disposition != "attachment" and in_related
    )
    walk.add_attachment(filename, ctype, data, content_id, inline)


_CID_NAME_RE = re.compile(r"^[\w.-]+\.[A-Za-z0-9]{2,5}@")


def _inner_subject(part: Message) -> str:
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if not isinstance(inner, Message):
        return ""
    return decode_header(_get(inner, "Subject"))


def _walk_tnef(part: Message, walk: _Walk, filename: str, ctype: str) -> None:
    data = _payload_bytes(part)
    try:
        from tnefparse import TNEF

        tnef = TNEF(data)
        files = [(a.long_filename() or a.name or "file", a.data) for a in tnef.attachments]
        body = getattr(tnef, "body", None)
        html_body = getattr(tnef, "htmlbody", None)
    except Exception:  # noqa: BLE001 - unreadable TNEF: keep winmail.dat as is
        walk.add_attachment(filename, ctype or "application/ms-tnef", data)
        return
    if not files and not body and not html_body:
        walk.add_attachment(filename, ctype or "application/ms-tnef", data)
        return
    for name, blob in files:
        if isinstance(name, bytes):
            name = decode_bytes(name.rstrip(b"\x00"))
        blob = blob if isinstance(blob, bytes) else bytes(blob or b"")
        guessed = mimetypes.guess_type(str(name), strict=False)[0] or "application/octet-stream"
        walk.add_attachment(str(name).rstrip("\x00"), guessed, blob)
    if body and not walk.texts:
        walk.texts.append(body if isinstance(body, str) else decode_bytes(body))
    if html_body and not walk.htmls:
        walk.htmls.append(html_body if isinstance(html_body, str) else decode_bytes(html_body))


# --------------------------------------------------------------------------
# auto-replies and bounces

_AUTO_SUBJECT_RE = re.compile(
    r"^\s*(?:\[[^\]]*\]\s*)?(?:"
    r"out of (?:the )?office|auto(?:matic)?[ -]?(?:reply|response|antwort|svar)|autoreply|"
    r"abwesenheitsnotiz|abwesenheit|automatische antwort|automatisk svar|autosvar|"
    r"fraværende|fravær|ikke til stede|r[ée]ponse automatique|absence|"
    r"i am out of the office|vacation|on vacation|urlaub"
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


def _is_auto_reply(headers: dict[str, str], subject: str) -> bool:
    auto = headers.get("Auto-Submitted", "").strip().lower()
    if auto and not auto.startswith("no"):
        return True
    if headers.get("Precedence", "").strip().lower() in {"bulk", "junk", "list", "auto_reply"}:
        return True
    if headers.get("X-Autoreply") or headers.get("X-Autorespond"):
        return True
    suppress = headers.get("X-Auto-Response-Suppress", "").lower()
    if any(token in suppress for token in ("all", "oof", "autoreply")):
        return True
    return bool(_AUTO_SUBJECT_RE.match(subject))


def _is_bounce(
    headers: dict[str, str], from_address: str, subject: str, walk: _Walk, report_type: str
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
    msg = message_from_bytes(body_raw, policy=_PARSE_POLICY)
    if any(isinstance(d, MissingHeaderBodySeparatorDefect) for d in msg.defects):
        repaired = _repair_header_folding(body_raw)
        if repaired is not None:
            msg = message_from_bytes(repaired, policy=_PARSE_POLICY)
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
    walk = _Walk(fallback_charset=fallback, linesep="\r\n" if crlf else "\n")
    _walk_part(msg, walk)

    text = "\n".join(t for t in walk.texts if t) if walk.texts else ""
    html_raw = walk.htmls[0] if walk.htmls else ""
    html = sanitize_html(html_raw) if html_raw else ""
    if not text.strip() and html_raw:
        text = html_to_text(html_raw)
    text = text.replace("\r\n", "\n").replace("\r", "\n")

    report_type = (_param(msg, "report-type") or "").lower()
    is_bounce = _is_bounce(headers, from_address, subject, walk, report_type)
    bounced = walk.bounced_message_id if is_bounce else ""
    if is_bounce and not bounced:
        match = re.search(r"^\s*Message-ID:\s*<([^<>\s]+)>", text, re.IGNORECASE | re.MULTILINE)
        bounced = match.group(1) if match else ""

    message_ids = parse_message_ids(_first(index, "message-id"))
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
        is_auto_reply=_is_auto_reply(headers, subject),
        is_bounce=is_bounce,
        bounced_message_id=bounced,
        headers=headers,
        content_hash=hashlib.sha256(raw).hexdigest(),
        language_hint=headers.get("Content-Language", "").split(",")[0].strip(),
        defects=defects,
    )


def _charset_hint(msg: Message) -> str | None:
    """The charset to try for raw 8-bit headers: the first one the mail declares."""
    if all(value.isascii() for _name, value in msg.raw_items()):
        return None
    declared = []
    for part in msg.walk():
        codec = _codec(_param(part, "charset"))
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


def _pick_sender(pairs: list[tuple[str, str]]) -> tuple[str, str]:
    """The first sender with a real address; else the first with any address."""
    for name, addr in pairs:
        if "@" in addr:
            return name, addr
    for name, addr in pairs:
        if addr:
            return name, addr
    return (pairs[0][0], "") if pairs else ("", "")
