"""Unit tests for the pure mail parser, built from small inline raw mails."""

from __future__ import annotations

import base64
import binascii
import hashlib
import random
from datetime import UTC, datetime

import pytest

from anliegen.mail.parse import (
    CASE_TOKEN_RE,
    MailParseError,
    find_case_token,
    format_case_token,
    html_to_text,
    parse_mail,
)


def mail(headers: str, body: bytes | str = b"Hello\n") -> bytes:
    body_bytes = body.encode() if isinstance(body, str) else body
    return headers.strip("\n").replace("\n", "\r\n").encode() + b"\r\n\r\n" + body_bytes


SIMPLE = """
From: "Jane Doe" <Jane.Doe@Example.COM>
To: support@example.com, "Bob" <BOB@example.com>
Cc: carol@example.com
Reply-To: jane-replies@example.com
Subject: Help needed
Message-ID: <abc123@example.com>
In-Reply-To: <prev@example.com>
References: <first@example.com> <prev@example.com>
Date: Tue, 1 Jul 2025 10:00:00 +0200
Content-Language: de-DE
Content-Type: text/plain; charset=utf-8
"""


def test_it_reads_the_basic_fields() -> None:
    raw = mail(SIMPLE, "Hallo Welt\n")
    parsed = parse_mail(raw)
    assert parsed.from_address == "jane.doe@example.com"
    assert parsed.from_name == "Jane Doe"
    assert parsed.to == ["support@example.com", "bob@example.com"]
    assert parsed.to_display[1] == ("Bob", "bob@example.com")
    assert parsed.cc == ["carol@example.com"]
    assert parsed.reply_to == ["jane-replies@example.com"]
    assert parsed.subject == "Help needed"
    assert parsed.message_id == "abc123@example.com"
    assert parsed.in_reply_to == ["prev@example.com"]
    assert parsed.references == ["first@example.com", "prev@example.com"]
    assert parsed.date == datetime(2025, 7, 1, 8, 0, tzinfo=UTC)
    assert parsed.text == "Hallo Welt\r\n".replace("\r\n", "\n")
    assert parsed.html == ""
    assert parsed.language_hint == "de-DE"
    assert parsed.content_hash == hashlib.sha256(raw).hexdigest()
    assert parsed.headers["Message-ID"] == "<abc123@example.com>"
    assert not parsed.is_auto_reply
    assert not parsed.is_bounce


def test_it_leaves_missing_ids_and_dates_empty() -> None:
    parsed = parse_mail(mail("From: a@example.com\nSubject: x\nDate: not a date"))
    assert parsed.message_id == ""
    assert parsed.in_reply_to == []
    assert parsed.date is None


def test_it_treats_a_naive_date_as_utc() -> None:
    parsed = parse_mail(mail("From: a@example.com\nDate: Tue, 1 Jul 2025 10:00:00 -0000"))
    assert parsed.date == datetime(2025, 7, 1, 10, 0, tzinfo=UTC)


# --- case token ---------------------------------------------------------------


def test_it_formats_and_finds_case_tokens() -> None:
    assert format_case_token("A-100042") == "[#A-100042]"
    assert find_case_token("Re: AW: Rechnung [#A-100042]") == "A-100042"
    assert find_case_token("Re: [#B123456] again") == "B123456"
    assert find_case_token("Ticket [#A-12] too short") is None
    assert find_case_token("no token") is None
    assert CASE_TOKEN_RE.pattern == r"\[#([A-Z]-?\d{4,})\]"


def test_it_exposes_the_token_of_a_parsed_mail() -> None:
    parsed = parse_mail(mail("From: a@example.com\nSubject: Re: Hilfe [#A-100042]"))
    assert parsed.case_token == "A-100042"


# --- headers ------------------------------------------------------------------


def test_it_joins_encoded_words_that_split_a_character() -> None:
    # "Grüße" in UTF-8 split in the middle of "ü" across two encoded words.
    raw = mail("From: a@example.com\nSubject: =?utf-8?Q?Gr=C3?= =?utf-8?Q?=BC=C3=9Fe?=")
    assert parse_mail(raw).subject == "Grüße"


def test_it_decodes_broken_encoded_words() -> None:
    # base64 without padding and an unknown charset label
    raw = mail("From: a@example.com\nSubject: =?UTF-8?B?R3LDvMOfZQ?= und =?x-unknown?Q?caf=E9?=")
    assert parse_mail(raw).subject == "Grüße und café"


def test_it_decodes_gb2312_as_gb18030() -> None:
    # "镕" is in GB18030/GBK but not in GB2312; senders label it gb2312 anyway.
    word = base64.b64encode("朱镕基".encode("gb18030")).decode()
    raw = mail(f"From: a@example.com\nSubject: =?gb2312?B?{word}?=")
    assert parse_mail(raw).subject == "朱镕基"


def test_it_decodes_raw_8bit_utf8_headers() -> None:
    headers = 'From: "Jürgen Müller" <jm@example.com>\r\nSubject: Grüße aus Köln\r\n'
    parsed = parse_mail(headers.encode() + b"\r\nbody")
    assert parsed.from_name == "Jürgen Müller"
    assert parsed.subject == "Grüße aus Köln"


def test_it_decodes_raw_8bit_legacy_headers_with_the_declared_charset() -> None:
    raw = (
        "From: a@example.com\r\nSubject: Priorität\r\n"
        "Content-Type: text/plain; charset=iso-8859-1\r\n\r\nbody"
    ).encode("latin-1")
    assert parse_mail(raw).subject == "Priorität"


def test_it_keeps_commas_inside_encoded_display_names() -> None:
    raw = mail("From: =?iso-8859-1?Q?M=FCller,_Bernd?= <bm@example.com>\nTo: x@example.com")
    parsed = parse_mail(raw)
    assert (parsed.from_name, parsed.from_address) == ("Müller, Bernd", "bm@example.com")


def test_it_repairs_continuation_lines_without_indentation() -> None:
    raw = (
        b"Received: from a by b\r\nX-Tracker: AAAA\r\nBBBBBBBBBB\r\nCCCCCCCCC\r\n"
        b"From: a@example.com\r\nSubject: still here\r\n\r\nbody\r\n"
    )
    parsed = parse_mail(raw)
    assert parsed.subject == "still here"
    assert parsed.text.strip() == "body"


def test_it_picks_the_first_sender_with_an_address() -> None:
    raw = mail('From: "Nobody" <>, "Real" <real@example.com>')
    assert parse_mail(raw).from_address == "real@example.com"


# --- bodies and charsets --------------------------------------------------------


@pytest.mark.parametrize(
    ("charset", "text"),
    [
        ("iso-2022-jp", "日本語のメール"),
        ("utf-7", "Übermittlung"),
        ("windows-1251", "Сергей"),
        ("windows-1252", "€ für Köln"),
        ("gb2312", "绩效管理"),
    ],
)
def test_it_decodes_legacy_charsets(charset: str, text: str) -> None:
    codec = "gb18030" if charset == "gb2312" else charset
    raw = mail(
        f"From: a@example.com\nContent-Type: text/plain; charset={charset}", text.encode(codec)
    )
    assert parse_mail(raw).text == text


def test_it_falls_back_when_the_label_lies() -> None:
    # declared us-ascii, actually UTF-8
    raw = mail("From: a@example.com\nContent-Type: text/plain; charset=us-ascii", "Grüße".encode())
    assert parse_mail(raw).text == "Grüße"


def test_it_decodes_utf8_with_stray_latin1_bytes() -> None:
    body = "Schöne ".encode() + "Grüße".encode("latin-1")
    raw = mail("From: a@example.com\nContent-Type: text/plain; charset=utf-8", body)
    assert parse_mail(raw).text == "Schöne Grüße"


def test_it_uses_cp1252_for_unknown_charsets() -> None:
    raw = mail(
        "From: a@example.com\nContent-Type: text/plain; charset=bogus", "Straße".encode("cp1252")
    )
    assert parse_mail(raw).text == "Straße"


HTML_ONLY = """
From: a@example.com
Content-Type: text/html; charset=utf-8
"""


def test_it_derives_text_from_html_only_mail() -> None:
    body = (
        "<html><head><title>T</title><style>p {color: red}</style></head><body>"
        "<p>Hello&nbsp;&amp; welcome</p><div>second<br>line</div>"
        "<script>alert('x')</script><ul><li>one</li><li>two</li></ul></body></html>"
    )
    parsed = parse_mail(mail(HTML_ONLY, body))
    assert parsed.text == "Hello & welcome\n\nsecond\nline\n\none\ntwo"
    assert "<script" not in parsed.html
    assert "alert" not in parsed.html
    assert "<p>" in parsed.html


def test_it_sanitises_html() -> None:
    body = '<p onclick="evil()">Hi <a href="javascript:evil()">x</a><img src="cid:logo"></p>'
    parsed = parse_mail(mail(HTML_ONLY, body))
    assert "onclick" not in parsed.html
    assert "javascript" not in parsed.html
    assert 'src="cid:logo"' in parsed.html


def test_html_to_text_keeps_pre_formatting() -> None:
    assert html_to_text("<pre>a  b\n  c</pre>") == "a  b\n  c"


ALTERNATIVE_WITH_IMAGE = """
From: a@example.com
Content-Type: multipart/alternative; boundary="alt"
"""


def test_it_keeps_plain_html_and_inline_images() -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(40))
    body = (
        "--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nplain text\r\n"
        '--alt\r\nContent-Type: multipart/related; boundary="rel"\r\n\r\n'
        "--rel\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        '<p>rich <img src="cid:logo@x"></p>\r\n'
        "--rel\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n"
        "Content-ID: <logo@x>\r\n\r\n" + base64.b64encode(png).decode() + "\r\n"
        "--rel--\r\n--alt--\r\n"
    )
    parsed = parse_mail(mail(ALTERNATIVE_WITH_IMAGE, body))
    assert parsed.text.strip() == "plain text"
    assert "rich" in parsed.html
    [image] = parsed.attachments
    assert (image.content_type, image.content_id, image.inline, image.data) == (
        "image/png",
        "logo@x",
        True,
        png,
    )
    assert image.filename == "image.png"
    assert image.md5 == hashlib.md5(png).hexdigest()


MIXED = """
From: a@example.com
Content-Type: multipart/mixed; boundary="b"
"""


def test_it_reads_rfc2231_and_encoded_attachment_names() -> None:
    body = (
        "--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
        "--b\r\nContent-Type: application/pdf\r\n"
        "Content-Disposition: attachment; filename*=utf-8''Rechnung%20M%C3%A4rz.pdf\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n"
        '--b\r\nContent-Type: application/pdf; name="=?utf-8?Q?K=C3=BCndigung.pdf?="\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n"
        "--b--\r\n"
    )
    parsed = parse_mail(mail(MIXED, body))
    assert [a.filename for a in parsed.attachments] == ["Rechnung März.pdf", "Kündigung.pdf"]
    assert parsed.attachments[0].data == b"%PDF-"


def test_it_tolerates_broken_base64() -> None:
    body = (
        "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n"
        "--b\r\nContent-Type: video/quicktime\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        "/9j/4AAQSkZJABC123456\r\n--b--\r\n"
    )
    [video] = parse_mail(mail(MIXED, body)).attachments
    assert video.data == base64.b64decode("/9j/4AAQSkZJABC12345=")[:15]
    assert video.filename == "video.mov"


def test_it_extracts_uuencoded_files_from_the_body() -> None:
    data = bytes(range(256)) * 3
    lines = [
        binascii.b2a_uu(data[i : i + 45]).decode().rstrip("\n") for i in range(0, len(data), 45)
    ]
    body = "Here is the file:\n\nbegin 644 data.bin\n" + "\n".join(lines) + "\n`\nend\n\nBye\n"
    parsed = parse_mail(mail("From: a@example.com\nContent-Type: text/plain", body))
    [attachment] = parsed.attachments
    assert (attachment.filename, attachment.data) == ("data.bin", data)
    assert "begin 644" not in parsed.text
    assert "Bye" in parsed.text


def test_it_decodes_an_x_uuencode_part() -> None:
    encoded = binascii.b2a_uu(b"hello world").decode()
    body = (
        "--b\r\nContent-Type: text/plain\r\n\r\nbody\r\n"
        "--b\r\nContent-Type: application/octet-stream; name=h.txt\r\n"
        "Content-Transfer-Encoding: x-uuencode\r\n\r\n"
        f"begin 644 h.txt\r\n{encoded.rstrip()}\r\n`\r\nend\r\n--b--\r\n"
    )
    [attachment] = parse_mail(mail(MIXED, body)).attachments
    assert attachment.data == b"hello world"


def test_it_keeps_the_signature_of_signed_mail() -> None:
    body = (
        "--s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nsigned text\r\n"
        "--s\r\nContent-Type: application/pgp-signature; name=signature.asc\r\n\r\n"
        "-----BEGIN PGP SIGNATURE-----\r\nabc\r\n-----END PGP SIGNATURE-----\r\n--s--\r\n"
    )
    headers = 'From: a@example.com\nContent-Type: multipart/signed; boundary="s"; protocol="application/pgp-signature"'
    parsed = parse_mail(mail(headers, body))
    assert parsed.text.strip() == "signed text"
    [signature] = parsed.attachments
    assert signature.filename == "signature.asc"
    assert signature.content_type == "application/pgp-signature"
    assert signature.data.startswith(b"-----BEGIN PGP SIGNATURE-----\nabc")


def test_it_keeps_encrypted_parts_as_attachments() -> None:
    body = (
        "--e\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n"
        "--e\r\nContent-Type: application/octet-stream; name=encrypted.asc\r\n\r\n"
        "-----BEGIN PGP MESSAGE-----\r\nxyz\r\n-----END PGP MESSAGE-----\r\n--e--\r\n"
    )
    headers = 'From: a@example.com\nContent-Type: multipart/encrypted; boundary="e"'
    parsed = parse_mail(mail(headers, body))
    assert parsed.text == ""
    assert [a.content_type for a in parsed.attachments] == [
        "application/pgp-encrypted",
        "application/octet-stream",
    ]


ORIGINAL = (
    "From: agent@anliegen.example\r\nTo: nobody@example.com\r\n"
    "Subject: Your case [#A-100042]\r\nMessage-ID: <orig-1@anliegen.example>\r\n\r\n"
    "Hello there!\r\n"
)


def test_it_recognises_a_bounce_and_the_bounced_message() -> None:
    body = (
        "--r\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
        "--r\r\nContent-Description: Delivery report\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.com\r\n\r\nFinal-Recipient: rfc822; nobody@example.com\r\n"
        "Action: failed\r\nStatus: 5.1.1\r\n\r\n"
        "--r\r\nContent-Type: message/rfc822\r\n\r\n" + ORIGINAL + "--r--\r\n"
    )
    headers = (
        "From: MAILER-DAEMON@mx.example.com (Mail Delivery System)\n"
        "Subject: Undelivered Mail Returned to Sender\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="r"'
    )
    parsed = parse_mail(mail(headers, body))
    assert parsed.is_bounce
    assert parsed.bounced_message_id == "orig-1@anliegen.example"
    names = [a.filename for a in parsed.attachments]
    assert names == ["Delivery report.txt", "Your case [#A-100042].eml"]
    # the CRLF before the closing boundary belongs to the boundary (RFC 2046)
    assert parsed.attachments[1].data == ORIGINAL.replace("\r\n", "\n").encode().rstrip(b"\n")


def test_it_finds_the_bounced_message_id_in_a_plain_bounce() -> None:
    body = "This message could not be delivered.\n\n--- original headers ---\nMessage-ID: <orig-2@x>\nSubject: hi\n"
    headers = (
        "From: postmaster@example.com\nSubject: Mail delivery failed: returning message to sender"
    )
    parsed = parse_mail(mail(headers, body))
    assert parsed.is_bounce
    assert parsed.bounced_message_id == "orig-2@x"


def test_it_keeps_a_forwarded_message_as_eml_and_can_read_it() -> None:
    body = (
        "--b\r\nContent-Type: text/plain\r\n\r\nsee below\r\n"
        "--b\r\nContent-Type: message/rfc822\r\n\r\n" + ORIGINAL + "--b--\r\n"
    )
    parsed = parse_mail(mail(MIXED, body))
    [forwarded] = parsed.forwarded
    assert forwarded.filename.endswith(".eml")
    assert forwarded.content_type == "message/rfc822"
    inner = parse_mail(forwarded.data)
    assert inner.message_id == "orig-1@anliegen.example"
    assert inner.text.strip() == "Hello there!"
    assert not parsed.is_bounce


def test_it_keeps_an_unreadable_winmail_dat() -> None:
    body = (
        "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n"
        "--b\r\nContent-Type: application/ms-tnef; name=winmail.dat\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n"
        + base64.b64encode(b"not tnef").decode()
        + "\r\n--b--\r\n"
    )
    [attachment] = parse_mail(mail(MIXED, body)).attachments
    assert (attachment.filename, attachment.data) == ("winmail.dat", b"not tnef")


# --- auto-replies -----------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "Auto-Submitted: auto-replied",
        "Auto-Submitted: auto-generated",
        "Precedence: bulk",
        "Precedence: auto_reply",
        "X-Autoreply: yes",
        "X-Autorespond: yes",
        "X-Auto-Response-Suppress: All",
        "X-Auto-Response-Suppress: OOF, AutoReply",
        "Subject: Out of office: back Monday",
        "Subject: Abwesenheitsnotiz: Re: Rechnung",
        "Subject: Automatisk svar: Ferie",
        "Subject: Automatische Antwort: Urlaub",
    ],
)
def test_it_recognises_auto_replies(header: str) -> None:
    assert parse_mail(mail(f"From: a@example.com\n{header}")).is_auto_reply


def test_it_does_not_flag_auto_submitted_no() -> None:
    raw = mail("From: a@example.com\nAuto-Submitted: no\nSubject: Re: office chair")
    assert not parse_mail(raw).is_auto_reply


# --- robustness -------------------------------------------------------------------


@pytest.mark.parametrize("raw", [b"", b"   \r\n", b"\x00\x01\x02 binary junk without headers"])
def test_it_refuses_mail_without_headers(raw: bytes) -> None:
    with pytest.raises(MailParseError) as exc:
        parse_mail(raw)
    assert exc.value.reason


def test_it_refuses_non_bytes() -> None:
    with pytest.raises(MailParseError):
        parse_mail("From: a@example.com\n\nx")  # type: ignore[arg-type]


def test_it_never_raises_anything_else_on_random_mutations() -> None:
    base = mail(
        MIXED, "--b\r\nContent-Type: text/html; charset=gb2312\r\n\r\n<p>x</p>\r\n--b--\r\n"
    )
    rng = random.Random(4)
    for _ in range(300):
        data = bytearray(base)
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        try:
            parse_mail(bytes(data))
        except MailParseError:
            pass


def test_it_skips_an_mbox_from_line() -> None:
    raw = b"From someone@example.com Thu May  3 12:04:29 2012\n" + mail(
        "From: a@example.com\nSubject: hi"
    )
    assert parse_mail(raw).subject == "hi"
