"""Bytes intact and text visible: shapes of real mail that lost bytes or hid text, each as a
sample made here (no corpus). The pure parser only, plus one trip through ingest and the
attachment store."""

from __future__ import annotations

import binascii
import hashlib
import random

import pytest

from anliegen.mail.parse import parse_mail

# A "PDF" with every byte value, CRLF pairs, and lone CR and LF bytes: any rewriting of
# line endings changes it.
PDF = (
    b"%PDF-1.4\r\n%\xe2\xe3\xcf\xd3\r\n1 0 obj\n<< /Type /Catalog >>\rendobj\r\n"
    + bytes(range(256))
    + b"\r\n  trailing spaces  \r\n%%EOF\r\n"
)


def crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode()


def quoted_printable_binary(data: bytes) -> bytes:
    """Quoted-printable as mail programs write it for a binary file: CRLF pairs become hard
    line breaks, every other unsafe byte =XX, soft line breaks under 76 characters."""
    lines = []
    for segment in data.split(b"\r\n"):
        encoded = b"".join(bytes([c]) if 33 <= c <= 126 and c != 61 else b"=%02X" % c for c in segment)
        while len(encoded) > 72:
            cut = 72
            while b"=" in encoded[cut - 2 : cut]:
                cut -= 1
            lines.append(encoded[:cut] + b"=")
            encoded = encoded[cut:]
        lines.append(encoded)
    return b"\r\n".join(lines)


def pdf_mail() -> bytes:
    head = crlf(
        "From: Erika Mustermann <erika@example.org>\nTo: service@anliegen.example\nSubject: Rechnung\n"
        "Message-ID: <pdf-qp-1@example.org>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XX\n\n"
        "--XX\nContent-Type: text/plain; charset=utf-8\n\nAnbei die Rechnung.\n"
        "--XX\nContent-Type: application/pdf; name=rechnung.pdf\n"
        "Content-Disposition: attachment; filename=rechnung.pdf\nContent-Transfer-Encoding: quoted-printable\n\n"
    )
    return head + quoted_printable_binary(PDF) + b"\r\n--XX--\r\n"


# --- 1. every decoded attachment is byte-exact --------------------------------------------

def test_it_keeps_a_quoted_printable_binary_attachment_of_a_crlf_mail_byte_exact() -> None:
    [pdf] = [a for a in parse_mail(pdf_mail()).attachments if a.filename == "rechnung.pdf"]
    assert pdf.data == PDF


def test_it_still_stores_quoted_printable_text_attachments_with_plain_line_breaks() -> None:
    raw = crlf(
        "From: a@example.org\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XX\n\n"
        "--XX\nContent-Type: text/plain\n\nsiehe Anhang\n"
        "--XX\nContent-Type: text/csv; name=liste.csv\nContent-Disposition: attachment; filename=liste.csv\n"
        "Content-Transfer-Encoding: quoted-printable\n\nname;betrag\nM=FCller;12\n--XX--\n"
    )
    [csv] = parse_mail(raw).attachments
    assert csv.data == b"name;betrag\nM\xfcller;12"


@pytest.mark.django_db
def test_it_stores_the_attachment_byte_exact_through_ingest(world) -> None:
    from anliegen.mail.ingest import ingest_mail
    from anliegen.tickets.models import Attachment
    from anliegen.tickets.storage import read_bytes

    result = ingest_mail(pdf_mail(), source="import")
    stored = Attachment.objects.get(message__ticket=result.ticket, filename="rechnung.pdf")
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest() and stored.size == len(PDF)
    assert read_bytes(stored.sha256) == PDF


# --- 2. a second and third text part are body text, in order ------------------------------

def test_it_shows_every_text_part_as_body_text_in_order() -> None:
    raw = crlf(
        "From: a@example.org\nSubject: Fotos\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XX\n\n"
        "--XX\nContent-Type: text/plain; charset=utf-8\n\nErster Teil.\n"
        "--XX\nContent-Type: image/png; name=foto.png\nContent-Disposition: inline; filename=foto.png\n"
        "Content-Transfer-Encoding: base64\n\niVBORw0KGgo=\n"
        "--XX\nContent-Type: text/plain; charset=utf-8\n\nZweiter Teil.\n"
        "--XX\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n"
        "Dritter Teil: Gr=FC=DFe.\n--XX--\n"
    )
    parsed = parse_mail(raw)
    assert parsed.text == "Erster Teil.\nZweiter Teil.\nDritter Teil: Grüße."
    assert [a.filename for a in parsed.attachments] == ["foto.png"]


def test_it_adds_a_text_part_after_an_html_body_to_both_views() -> None:
    raw = crlf(
        "From: a@example.org\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XX\n\n"
        "--XX\nContent-Type: text/html; charset=utf-8\n\n<p>Der Router blinkt rot.</p>\n"
        "--XX\nContent-Type: text/plain; charset=utf-8\n\nListe kunden@example.org\n--XX--\n"
    )
    parsed = parse_mail(raw)
    assert "Der Router blinkt rot." in parsed.text and parsed.text.rstrip().endswith("Liste kunden@example.org")
    assert "Liste kunden@example.org" in parsed.html and not parsed.attachments


def test_it_keeps_a_text_part_with_a_file_name_as_an_attachment() -> None:
    raw = crlf(
        "From: a@example.org\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XX\n\n"
        "--XX\nContent-Type: text/plain\n\nHallo\n"
        "--XX\nContent-Type: text/plain; name=log.txt\n\nfehler 42\n--XX--\n"
    )
    parsed = parse_mail(raw)
    assert parsed.text.strip() == "Hallo" and [a.filename for a in parsed.attachments] == ["log.txt"]


# --- 3. malformed MIME parameters do not hide the body -------------------------------------

@pytest.mark.parametrize("content_type,body,cte", [
    ("text/plain charset=utf-8", "Grüße aus Köln".encode(), "8bit"),
    ('text/plain charset="iso-8859-1"', b"Gr=FC=DFe aus K=F6ln", "quoted-printable"),
    ("text/plain;charset=utf-8 format=flowed", "Grüße aus Köln".encode(), "8bit"),
])
def test_it_reads_the_body_when_a_parameter_follows_without_a_semicolon(content_type, body, cte) -> None:
    raw = (crlf(f"From: a@example.org\nSubject: Hallo\nMIME-Version: 1.0\nContent-Type: {content_type}\n"
                f"Content-Transfer-Encoding: {cte}\n\n") + body + b"\r\n")
    parsed = parse_mail(raw)
    assert parsed.text.strip() == "Grüße aus Köln" and not parsed.attachments


def test_it_reads_a_malformed_part_inside_a_multipart_mail() -> None:
    raw = crlf(
        "From: a@example.org\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XX\n\n"
        "--XX\nContent-Type: text/plain charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
        + binascii.b2a_base64("Bitte um Rückruf.".encode()).decode()
        + "--XX\nContent-Type: application/pdf name=a.pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0=\n--XX--\n"
    )
    parsed = parse_mail(raw)
    assert parsed.text.strip() == "Bitte um Rückruf."
    assert [(a.filename, a.content_type, a.data) for a in parsed.attachments] == [("a.pdf", "application/pdf",
                                                                                   b"%PDF-")]


# --- 4. Japanese: ISO-2022-JP that is Shift_JIS, and characters outside the codec -----------

JAPANESE = "お問い合わせありがとうございます。①番と②番の件です。Ⅲ型の在庫は㈱山田にあります。"


def iso2022jp_windows(text: str) -> bytes:
    """ISO-2022-JP as Windows writes it (CP50220): JIS X 0208 runs that may use the NEC rows
    (circled digits, Roman numerals), which the strict codec does not know."""
    out, kanji = b"", False
    for char in text:
        if char.isascii():
            if kanji:
                out, kanji = out + b"\x1b(B", False
            out += char.encode()
            continue
        s1, s2 = char.encode("cp932")
        s1 -= 0x40 if s1 >= 0xE0 else 0
        j1 = (s1 - 0x70) * 2 - (1 if s2 < 0x9F else 0)
        j2 = (s2 - (0x1F if s2 < 0x7F else 0x20)) if s2 < 0x9F else s2 - 0x7E
        if not kanji:
            out, kanji = out + b"\x1b$B", True
        out += bytes([j1, j2])
    return out + (b"\x1b(B" if kanji else b"")


def test_the_sample_is_outside_the_strict_codec() -> None:
    with pytest.raises(UnicodeDecodeError):
        iso2022jp_windows(JAPANESE).decode("iso2022_jp")


def test_it_reads_iso_2022_jp_with_characters_outside_the_codec() -> None:
    subject = binascii.b2a_base64(iso2022jp_windows("①の件"), newline=False).decode()
    raw = (crlf(f"From: a@example.jp\nSubject: =?ISO-2022-JP?B?{subject}?=\nMIME-Version: 1.0\n"
                "Content-Type: text/plain; charset=ISO-2022-JP\nContent-Transfer-Encoding: 7bit\n\n")
           + iso2022jp_windows(JAPANESE) + b"\r\n")
    parsed = parse_mail(raw)
    assert parsed.text.strip() == JAPANESE and parsed.subject == "①の件"
    assert "\x1b" not in parsed.text


@pytest.mark.parametrize("encoding", ["cp932", "euc_jp"])
def test_it_reads_japanese_mislabelled_as_iso_2022_jp(encoding) -> None:
    text = JAPANESE if encoding == "cp932" else "お問い合わせありがとうございます。在庫の件です。"
    raw = (crlf("From: a@example.jp\nSubject: x\nMIME-Version: 1.0\nContent-Type: text/plain; charset=ISO-2022-JP\n"
                "Content-Transfer-Encoding: 8bit\n\n") + text.encode(encoding) + b"\r\n")
    assert parse_mail(raw).text.strip() == text


def test_it_reads_shift_jis_with_the_windows_characters() -> None:
    raw = (crlf("From: a@example.jp\nSubject: x\nMIME-Version: 1.0\nContent-Type: text/plain; charset=Shift_JIS\n"
                "Content-Transfer-Encoding: 8bit\n\n") + JAPANESE.encode("cp932") + b"\r\n")
    assert parse_mail(raw).text.strip() == JAPANESE


# --- 5. uuencoded content without a "begin" line ------------------------------------------

def uuencode_lines(data: bytes) -> bytes:
    return b"".join(binascii.b2a_uu(data[i : i + 45]) for i in range(0, len(data), 45))


@pytest.mark.parametrize("framing", ["no begin", "no begin, no end", "begin and end"])
def test_it_decodes_a_uuencoded_part_without_its_begin_line(framing) -> None:
    data = random.Random(13).randbytes(500)
    body = uuencode_lines(data)
    if framing != "no begin, no end":
        body += b"`\nend\n"
    if framing == "begin and end":
        body = b"begin 644 daten.bin\n" + body
    raw = (crlf("From: a@example.org\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XX\n\n"
                "--XX\nContent-Type: text/plain\n\nSiehe Anhang.\n"
                "--XX\nContent-Type: application/octet-stream; name=daten.bin\n"
                "Content-Transfer-Encoding: x-uuencode\n\n")
           + body.replace(b"\n", b"\r\n") + b"--XX--\r\n")
    [attachment] = parse_mail(raw).attachments
    assert attachment.filename == "daten.bin" and attachment.data == data


def test_it_decodes_a_uuencoded_text_body_without_its_begin_line() -> None:
    raw = (crlf("From: a@example.org\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
                "Content-Transfer-Encoding: x-uuencode\n\n")
           + uuencode_lines(b"Der Drucker druckt nur leere Seiten.").replace(b"\n", b"\r\n"))
    assert parse_mail(raw).text.strip() == "Der Drucker druckt nur leere Seiten."


def test_it_keeps_a_part_that_only_claims_to_be_uuencoded() -> None:
    raw = crlf("From: a@example.org\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XX\n\n"
               "--XX\nContent-Type: text/plain\n\nhallo\n--XX\nContent-Type: application/octet-stream; name=x.bin\n"
               "Content-Transfer-Encoding: x-uuencode\n\nthis is not uuencoded at all\n--XX--\n")
    [attachment] = parse_mail(raw).attachments
    assert attachment.data.startswith(b"this is not uuencoded")


def test_it_finds_the_parts_when_the_boundary_follows_without_a_semicolon() -> None:
    raw = crlf(
        "From: a@example.org\nSubject: Anhang\nMIME-Version: 1.0\nContent-Type: multipart/mixed boundary=\"XX\"\n\n"
        "--XX\nContent-Type: text/plain charset=utf-8\n\nDie Rechnung hängt an.\n"
        "--XX\nContent-Type: application/pdf; name=r.pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0=\n--XX--\n"
    )
    parsed = parse_mail(raw)
    assert parsed.text.strip() == "Die Rechnung hängt an."
    assert [(a.filename, a.data) for a in parsed.attachments] == [("r.pdf", b"%PDF-")]
