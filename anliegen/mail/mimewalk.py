"""Walking the MIME tree: body parts, attachments, inline images, forwarded mail, uuencode, TNEF.

Interface: ``walk_message(msg, ...) -> Walk`` (the body parts in order, the attachments,
what a delivery report says), ``header_param`` (a MIME parameter, read leniently),
``content_type`` (a part's type, read leniently) and
``PARSE_POLICY`` (the email policy the tree must be parsed with). Depends on ``charsets``,
``headers`` and ``parsed``."""

from __future__ import annotations

import binascii
import mimetypes
import re
from dataclasses import dataclass, field
from email import utils
from email.generator import BytesGenerator
from email.message import Message
from email.policy import Compat32
from io import BytesIO

from anliegen.mail.charsets import decode_bytes
from anliegen.mail.headers import decode_8bit_header, decode_header, parse_message_ids, raw_header, unfold
from anliegen.mail.parsed import ParsedAttachment

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


def header_param(part: Message, name: str, header: str = "content-type", hint: str | None = None) -> str:
    raw_value = raw_header(part, header)
    if raw_value is None:
        return ""
    try:
        if raw_value.isascii():
            value = part.get_param(name, header=header)
        else:
            # 8-bit parameters (raw UTF-8 file names): decode first, then parse.
            scratch = Message()
            own = _CHARSET_PARAM_RE.search(raw_header(part, "content-type") or "")
            scratch[header] = decode_8bit_header(unfold(raw_value), own.group(1) if own else hint)
            value = scratch.get_param(name, header=header)
    except Exception:  # noqa: BLE001
        value = None
    if value is None:
        # A parameter that follows without ";" ("text/plain charset=utf-8") is read anyway.
        loose = re.search(
            rf'(?:^|[\s;]){re.escape(name)}\s*=\s*(?:"([^"]*)"|([^\s;"]+))', unfold(raw_value), re.IGNORECASE
        )
        if loose is None:
            return ""
        value = loose.group(1) if loose.group(1) is not None else loose.group(2)
        return decode_header(value)
    if isinstance(value, tuple):  # RFC 2231: (charset, language, value)
        charset, _lang, text = value
        try:
            raw = text.encode("latin-1", "surrogateescape")
        except UnicodeEncodeError:
            return str(text)
        return decode_bytes(raw, charset or "utf-8")
    return decode_header(utils.unquote(value) if isinstance(value, str) else str(value))


def content_type(part: Message) -> str:
    """A part's type/subtype in lower case, read leniently; application/octet-stream if none."""
    try:
        ctype = part.get_content_type()
    except Exception:  # noqa: BLE001
        return "application/octet-stream"
    ctype = ctype.lower()
    if _CTYPE_RE.match(ctype):
        return ctype
    # "text/plain charset=utf-8" (no ";") or garbage after the type: keep type/subtype.
    match = _CTYPE_PREFIX_RE.match(unfold(raw_header(part, "content-type") or ""))
    return match.group(1).lower() if match else "application/octet-stream"


_CTYPE_RE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")
_CTYPE_PREFIX_RE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*)(?=[\s;,]|$)")


def _payload_bytes(part: Message) -> bytes:
    cte = (raw_header(part, "Content-Transfer-Encoding") or "").strip().lower()
    if cte == "base64":
        raw = part.get_payload()
        if isinstance(raw, str):
            return _decode_base64(raw.encode("ascii", "surrogateescape"))
    if cte in _UU_TRANSFER_ENCODINGS:
        raw = part.get_payload()
        if isinstance(raw, str):
            decoded = _decode_uu_lines(raw.encode("ascii", "surrogateescape"))
            if decoded is not None:
                return decoded
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


_UU_TRANSFER_ENCODINGS = frozenset({"x-uuencode", "uuencode", "x-uue", "uue"})


def _decode_uu_lines(data: bytes) -> bytes | None:
    """A uuencoded payload, with or without its "begin" and "end" lines (some encoders
    leave them out; the standard library then keeps the payload undecoded). None when
    the lines are not uuencoded at all."""
    out = bytearray()
    lines = data.splitlines()
    if lines and lines[0].startswith(b"begin "):
        lines = lines[1:]
    for line in lines:
        line = line.rstrip(b"\r\n")
        if line.strip() == b"end" or line in (b"`", b" "):
            break
        if not line.strip():
            continue
        nbytes = (line[0] - 32) & 63
        if len(line) < 1 + (nbytes * 4 + 2) // 3:  # too short for its length byte: not uuencode
            return None
        try:
            out += binascii.a2b_uu(line)
        except binascii.Error:
            # Some encoders write too many pad characters; trust the length byte.
            try:
                out += binascii.a2b_uu(line[: ((nbytes + 2) // 3) * 4 + 1])
            except binascii.Error:
                return None
    return bytes(out) if out else None


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


PARSE_POLICY = _RawPolicy()
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


# Types that are text whatever their major type says (ASCII-armoured keys and signatures).
_TEXT_APPLICATION_TYPES = frozenset({"application/pgp-signature", "application/pgp-keys", "application/pgp-encrypted"})


def _is_line_text(part: Message, ctype: str) -> bool:
    """Whether a part's CRLF line breaks are framing, not content: 7bit is lines by
    definition (RFC 2045); quoted-printable is lines only for text."""
    cte = (raw_header(part, "Content-Transfer-Encoding") or "7bit").strip().lower()
    if cte in ("7bit", ""):
        return True
    return ctype.startswith("text/") or ctype in _TEXT_APPLICATION_TYPES


def _is_text_transfer(part: Message) -> bool:
    cte = (raw_header(part, "Content-Transfer-Encoding") or "7bit").strip().lower()
    return cte in ("7bit", "quoted-printable", "")


@dataclass
class Walk:
    fallback_charset: str | None
    linesep: str = "\n"
    # The body parts in the order the mail has them: (plain text, html), one of them empty
    # except for a multipart/alternative, which gives both.
    bodies: list[tuple[str, str]] = field(default_factory=list)
    attachments: list[ParsedAttachment] = field(default_factory=list)
    bounced_message_id: str = ""
    is_report: bool = False
    defects: list[str] = field(default_factory=list)
    names: set[str] = field(default_factory=set)

    @property
    def texts(self) -> list[str]:
        return [plain for plain, _html in self.bodies if plain]

    @property
    def htmls(self) -> list[str]:
        return [html for _plain, html in self.bodies if html]

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
    name = header_param(part, "filename", "content-disposition", hint)
    if not name:
        name = header_param(part, "name", hint=hint)
    return name.strip()


def _disposition(part: Message) -> str:
    value = raw_header(part, "Content-Disposition")
    if not value:
        return ""
    return value.split(";", 1)[0].strip().lower()


def _content_id(part: Message) -> str:
    value = raw_header(part, "Content-ID")
    if not value:
        return ""
    return unfold(value).strip().strip("<>").strip()


def _part_charset(part: Message, walk: Walk) -> str | None:
    charset = header_param(part, "charset")
    return charset or walk.fallback_charset


def walk_message(msg: Message, *, fallback_charset: str | None, linesep: str = "\n") -> Walk:
    """Read a message parsed with ``PARSE_POLICY`` into its body parts and attachments.

    ``fallback_charset`` decodes parts that declare none; ``linesep`` is the mail's own line
    ending, which attached mails written out again keep."""
    walk = Walk(fallback_charset=fallback_charset, linesep=linesep)
    _walk_part(msg, walk)
    return walk


def _walk_part(part: Message, walk: Walk, *, in_related: bool = False, depth: int = 0) -> None:
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


def _walk_part_inner(part: Message, walk: Walk, *, in_related: bool, depth: int) -> None:
    ctype = content_type(part)
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
                _as_attachment(child, walk, content_type(child))
        elif ctype == "multipart/encrypted":
            for child in children:
                _as_attachment(child, walk, content_type(child))
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
        # Every plain-text body part is shown, in order: a second or third text part (Apple
        # Mail's text, image, text; a list footer) is body text, not an attachment.
        if ctype == "text/html":
            if walk.htmls:  # a second HTML document is kept as a file, as mail programs show it
                _as_attachment(part, walk, ctype, in_related=in_related)
                return
            walk.bodies.append(("", decode_bytes(_payload_bytes(part), _part_charset(part, walk))))
            return
        text = decode_bytes(_payload_bytes(part), _part_charset(part, walk))
        cte = (raw_header(part, "Content-Transfer-Encoding") or "").strip().lower()
        if "uue" not in cte:
            text, files = _extract_uuencoded(text)
            for name, blob in files:
                guessed = mimetypes.guess_type(name, strict=False)[0] or "application/octet-stream"
                walk.add_attachment(name, guessed, blob)
        walk.bodies.append((text, ""))
        return

    _as_attachment(part, walk, ctype, in_related=in_related)


def _has_body(walk: Walk) -> bool:
    return bool(walk.texts or walk.htmls)


def _walk_alternative(
    children: list[Message], walk: Walk, *, in_related: bool, depth: int
) -> None:
    # Read every alternative into a scratch walk, then keep the first plain text
    # and the richest HTML; attachments inside alternatives (rare) are kept.
    plain: str | None = None
    rich: str | None = None
    for child in children:
        sub = Walk(walk.fallback_charset, walk.linesep)
        sub.names = walk.names
        _walk_part(child, sub, in_related=in_related, depth=depth + 1)
        if sub.texts and plain is None:
            plain = "\n".join(sub.texts)
        if sub.htmls:
            rich = "\n".join(sub.htmls)
        walk.attachments.extend(sub.attachments)
        walk.defects.extend(sub.defects)
        walk.bounced_message_id = walk.bounced_message_id or sub.bounced_message_id
    if plain is not None or rich is not None:
        walk.bodies.append((plain or "", rich or ""))


def _inner_message_id(part: Message, ctype: str) -> str:
    try:
        if ctype == "message/rfc822":
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            if isinstance(inner, Message):
                ids = parse_message_ids(raw_header(inner, "Message-ID"))
                return ids[0] if ids else ""
        text = decode_bytes(_payload_bytes(part), "utf-8")
        match = re.search(r"^Message-ID:\s*<([^<>\s]+)>", text, re.IGNORECASE | re.MULTILINE)
        return match.group(1) if match else ""
    except Exception:  # noqa: BLE001
        return ""


def _as_attachment(part: Message, walk: Walk, ctype: str, *, in_related: bool = False) -> None:
    # Text sent as 7bit or quoted-printable is line-oriented: its CRLF is transport
    # framing, so it is stored with "\n" as a mail client saving it would. Everything else
    # (a PDF sent quoted-printable in a CRLF mail, any 8bit, binary or base64 part) is
    # stored byte for byte as decoded.
    text_transfer = _is_text_transfer(part)
    if ctype.startswith("message/"):
        data = _message_bytes(part, "\n" if text_transfer else walk.linesep)
    else:
        data = _payload_bytes(part)
        if text_transfer and _is_line_text(part, ctype) and b"\r\n" in data:
            data = data.replace(b"\r\n", b"\n")
    filename = _filename(part, walk.fallback_charset)
    description = decode_header(raw_header(part, "Content-Description"))
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
    return decode_header(raw_header(inner, "Subject"))


def _walk_tnef(part: Message, walk: Walk, filename: str, ctype: str) -> None:
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
    plain = (body if isinstance(body, str) else decode_bytes(body)) if body and not walk.texts else ""
    rich = (
        (html_body if isinstance(html_body, str) else decode_bytes(html_body))
        if html_body and not walk.htmls
        else ""
    )
    if plain or rich:
        walk.bodies.append((plain, rich))


