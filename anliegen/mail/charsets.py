"""Decoding bytes whose charset label may be missing, legacy or a lie.

Interface: ``decode_bytes(data, declared)`` and ``codec_name(label)``. Imports no other
module of the parser."""

from __future__ import annotations

import codecs
import re

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
    # Japanese mail is written by Windows' encoders: cp932 is Shift_JIS with the NEC and IBM
    # characters (circled digits, Roman numerals) that plain Shift_JIS lacks.
    "x-sjis": "cp932",
    "shift-jis": "cp932",
    "shift_jis": "cp932",
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


def codec_name(label: str | None) -> str:
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
    codec = codec_name(declared)
    if codec in _ISO2022_JP_CODECS:
        japanese = _decode_iso2022_jp(data)
        if japanese is not None:
            return japanese
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
            japanese = _decode_iso2022_jp(data)
            if japanese is not None:
                return japanese
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


_ISO2022_JP_CODECS = frozenset(
    codecs.lookup(name).name
    for name in ("iso2022_jp", "iso2022_jp_1", "iso2022_jp_2", "iso2022_jp_3", "iso2022_jp_ext")
)
_JIS_ESCAPE_RE = re.compile(rb"\x1b(\$[@B]|\$\(D|\([BJI]|\$\(Q|\$\(O|\$A|\.A|\.F|N)")


def _decode_iso2022_jp(data: bytes) -> str | None:
    """Text labelled ISO-2022-JP as Windows writes it, or mislabelled.

    Labelled ISO-2022-JP but 8-bit: Shift_JIS (cp932) or EUC-JP sent under the wrong label.
    7-bit with characters the strict codec lacks (circled digits, Roman numerals: the NEC
    rows of Windows' "ISO-2022-JP-MS"): each JIS X 0208 run is mapped to cp932, which has
    them. None when neither reading works; the caller goes on guessing."""
    if not data.isascii():
        for codec in ("cp932", "euc_jp"):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                continue
        return None
    for codec in ("iso2022_jp", "iso2022_jp_2"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    out: list[str] = []
    mode = b"(B"
    pos = 0
    for match in [*_JIS_ESCAPE_RE.finditer(data), None]:
        end = match.start() if match else len(data)
        out.append(_jis_run(data[pos:end], mode))
        if match is None:
            break
        mode, pos = match.group(1), match.end()
    text = "".join(out)
    return None if "\x1b" in text else text


def _jis_run(run: bytes, mode: bytes) -> str:
    """One run of ISO-2022-JP between escape sequences, in the character set ``mode`` chose."""
    if not run:
        return ""
    if mode in (b"$@", b"$B", b"$(Q", b"$(O"):  # JIS X 0208 (and 0213 plane 1): via cp932
        sjis = bytearray()
        for i in range(0, len(run) - 1, 2):
            j1, j2 = run[i], run[i + 1]
            if not (0x21 <= j1 <= 0x7E and 0x21 <= j2 <= 0x7E):
                sjis += bytes((j1, j2)) if j1 < 0x80 and j2 < 0x80 else b"?"
                continue
            s1 = (j1 + 1) // 2 + (0x70 if j1 <= 0x5E else 0xB0)
            s2 = j2 + (0x1F if j2 <= 0x5F else 0x20) if j1 % 2 else j2 + 0x7E
            sjis += bytes((s1, s2))
        return sjis.decode("cp932", errors="replace")
    if mode == b"(I":  # half-width katakana
        return bytes(b + 0x80 if 0x21 <= b <= 0x5F else b for b in run).decode("cp932", errors="replace")
    if mode == b"$(D":  # JIS X 0212 via EUC-JP's third plane
        euc = b"".join(b"\x8f" + bytes((run[i] | 0x80, run[i + 1] | 0x80)) for i in range(0, len(run) - 1, 2))
        return euc.decode("euc_jp", errors="replace")
    if mode in (b"$A", b".A", b".F", b"N"):  # iso-2022-jp-2 extras: leave to the codec
        try:
            return (b"\x1b" + mode + run + b"\x1b(B").decode("iso2022_jp_2")
        except UnicodeDecodeError:
            return run.decode("ascii", errors="replace")
    return run.decode("ascii", errors="replace")  # ASCII or JIS X 0201 Roman


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


