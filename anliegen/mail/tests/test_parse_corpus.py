"""parse_mail against real mail written by others (../shared/corpora/mail).

No database: these tests only call the pure parser. Run with -s to see the
pass rates per field, e.g.::

    .venv/bin/pytest anliegen/mail/tests/test_parse_corpus.py -s -k rates
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import json
import re
import time
from collections.abc import Callable
from email.utils import getaddresses
from pathlib import Path
from typing import Any

import pytest
import yaml

from anliegen.lib.corpora import corpora_dir
from anliegen.mail.parse import MailParseError, ParsedMail, html_to_text, parse_mail

CORPUS = corpora_dir() / "mail"

if not CORPUS.is_dir():
    pytest.skip(f"mail corpus not found at {CORPUS}", allow_module_level=True)

ZAMMAD = CORPUS / "zammad"
FIELDS = ("from_email", "from_display_name", "to", "cc", "subject", "attachments", "body")

# Mails/fields where the parser differs from Zammad's expectation, with why.
# Strict xfail: when one starts passing, the test fails until it leaves this list.
KNOWN_FAILURES: dict[tuple[str, str], str] = {
    ("mail018", "subject"): "Zammad leaves UTF-7 undecoded (+ANw-); we decode it",
    ("mail018", "body"): "Zammad leaves the UTF-7 body undecoded (+APw-); we decode it",
    ("mail019", "from_display_name"): 'From: "我" <> — Zammad drops the name; we keep it',
    (
        "mail020",
        "body",
    ): "&lang; entity: Zammad maps it to U+2329 (HTML 4), Python to U+27E8 (HTML 5)",
    ("mail006", "to"): "To: =?..?= (hans@example.com) — we take the address from the comment",
    (
        "mail021",
        "body",
    ): "&lang; entity: Zammad maps it to U+2329 (HTML 4), Python to U+27E8 (HTML 5)",
    ("mail027", "subject"): "Zammad keeps a CRLF decoded from an encoded word; we drop it",
    ("mail035", "from_email"): 'From: "user@host" — Zammad keeps the quotes in the address',
    (
        "mail046",
        "from_display_name",
    ): "raw GB2312 name: Zammad shows cp1250 mojibake; we decode GB2312",
    ("mail054", "body"): "unindented folded header: Zammad loses the body; we repair the folding",
    ("mail060", "body"): "UTF-8 mixed with latin-1 bytes: Zammad shows mojibake; we decode both",
    ("mail064", "attachments"): "Zammad mangles the NFD file name (e + U+0301 → eì); we keep it",
    (
        "mail065",
        "from_display_name",
    ): "broken encoded word with a space: Zammad keeps '=20Andreas?='",
}


class _RubyYamlLoader(yaml.SafeLoader):
    pass


_RubyYamlLoader.add_multi_constructor(
    "!ruby/hash:", lambda loader, _suffix, node: loader.construct_mapping(node, deep=True)
)
_RubyYamlLoader.add_constructor(
    "!binary", lambda loader, node: base64.b64decode(loader.construct_scalar(node))
)


def _zammad_names() -> list[str]:
    if not ZAMMAD.is_dir():
        return []
    return sorted(p.stem for p in ZAMMAD.glob("mail*.box") if p.with_suffix(".yml").exists())


def _short(name: str) -> str:
    return name[:7]  # "mail033-undelivered-..." → "mail033"


@functools.cache
def _zammad_case(name: str) -> tuple[ParsedMail, dict[str, Any]]:
    with open(ZAMMAD / f"{name}.yml", "rb") as fh:
        expected = yaml.load(fh, Loader=_RubyYamlLoader)  # noqa: S506 - SafeLoader subclass
    return parse_mail((ZAMMAD / f"{name}.box").read_bytes()), expected


# Block-level tags separate words; inline tags (span, b, a, font) do not. Zammad's
# HTML cleaner merges inline elements differently from nh3, so compare the text.
_BLOCK_TAG_RE = re.compile(
    r"</?(?:p|div|br|tr|td|th|li|ul|ol|h[1-6]|table|tbody|thead|blockquote|hr|pre|body|html)\b[^>]*>",
    re.IGNORECASE,
)
_TAG_RE = re.compile(r"<[^>]*>")


def _normalise_body(value: str) -> str:
    text = _TAG_RE.sub("", _BLOCK_TAG_RE.sub(" ", value or ""))
    text = html.unescape(text).replace("\xa0", " ")
    return " ".join(text.split())


def _address_set(value: str | None) -> set[str]:
    return {addr.lower() for _name, addr in getaddresses([value or ""]) if "@" in addr}


def _attachment_key(filename: str, mime: str, data: bytes | str) -> tuple[str, str, str]:
    raw = data.encode() if isinstance(data, str) else data
    return filename, mime, hashlib.md5(raw, usedforsecurity=False).hexdigest()


def _field_values(field: str, mail: ParsedMail, expected: dict[str, Any]) -> tuple[Any, Any]:
    if field == "from_email":
        return mail.from_address, (expected.get("from_email") or "").lower()
    if field == "from_display_name":
        return mail.from_name, expected.get("from_display_name") or ""
    if field in ("to", "cc"):
        return set(getattr(mail, field)), _address_set(expected.get(field))
    if field == "subject":
        return mail.subject, expected.get("subject") or ""
    if field == "attachments":
        got = sorted(_attachment_key(a.filename, a.content_type, a.data) for a in mail.attachments)
        want = sorted(
            _attachment_key(
                a["filename"], (a.get("preferences") or {}).get("Mime-Type", ""), a["data"]
            )
            for a in expected.get("attachments") or []
            if a["filename"] != "message.html"  # Zammad's own copy of the HTML body
        )
        return got, want
    if field == "body":
        body = expected.get("body") or ""
        if body == "no visible content":  # Zammad's placeholder for an empty body
            body = ""
        ours = mail.html if expected.get("content_type") == "text/html" else mail.text
        return _normalise_body(ours), _normalise_body(body)
    raise AssertionError(field)


def _zammad_params() -> list[Any]:
    params = []
    for name in _zammad_names():
        for field in FIELDS:
            reason = KNOWN_FAILURES.get((_short(name), field))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            params.append(pytest.param(name, field, marks=marks, id=f"{_short(name)}-{field}"))
    return params


@pytest.mark.parametrize(("name", "field"), _zammad_params())
def test_it_matches_zammad(name: str, field: str) -> None:
    mail, expected = _zammad_case(name)
    got, want = _field_values(field, mail, expected)
    assert got == want


def _rates() -> dict[str, tuple[int, int]]:
    rates = {}
    for field in FIELDS:
        passed = total = 0
        for name in _zammad_names():
            mail, expected = _zammad_case(name)
            got, want = _field_values(field, mail, expected)
            total += 1
            passed += got == want
        rates[field] = (passed, total)
    return rates


def test_it_reports_zammad_pass_rates() -> None:
    rates = _rates()
    print("\nZammad corpus, parse_mail vs. expected, per field:")
    for field, (passed, total) in rates.items():
        print(f"  {field:18} {passed:3}/{total} = {passed / total:6.1%}")
    failures = sum(total - passed for passed, total in rates.values())
    assert failures == len(KNOWN_FAILURES)


# --------------------------------------------------------------------------
# django-helpdesk

HELPDESK = CORPUS / "django-helpdesk"


def _helpdesk_cases() -> list[str]:
    path = HELPDESK / "expected.json"
    if not path.exists():
        return []
    return sorted(k for k in json.loads(path.read_text()) if not k.startswith("_"))


def _helpdesk_checks(name: str) -> list[tuple[str, Callable[[ParsedMail], bool]]]:
    spec = json.loads((HELPDESK / "expected.json").read_text())[name]
    checks: list[tuple[str, Callable[[ParsedMail], bool]]] = []
    if "title" in spec:
        checks.append(("subject", lambda m: m.subject == spec["title"]))
    if "title_truncated_by_model_to" in spec:
        prefix = spec["title_truncated_by_model_to"].rstrip(".")
        checks.append(("subject", lambda m: m.subject.startswith(prefix)))
    if "description_equals" in spec:
        checks.append(("body", lambda m: m.text.strip() == spec["description_equals"]))
    if "description_stripped_equals" in spec:
        checks.append(("body", lambda m: m.text.strip() == spec["description_stripped_equals"]))
    if "description_contains" in spec:
        # django-helpdesk builds the description from the HTML part when there is
        # one; in utf-nondecodable.eml the two alternatives differ in content.
        checks.append(
            (
                "body",
                lambda m: (
                    spec["description_contains"] in m.text
                    or spec["description_contains"] in html_to_text(m.html)
                ),
            )
        )
    if "html_part_contains" in spec:
        needle = _normalise_body(spec["html_part_contains"])
        checks.append(("html", lambda m: needle in _normalise_body(m.html)))
    if "forwarded_part_contains" in spec:
        checks.append(
            (
                "forwarded",
                # inline ("-----Original Message-----") or attached as message/rfc822
                lambda m: (
                    spec["forwarded_part_contains"] in m.text
                    or any(spec["forwarded_part_contains"] in parse_mail(a.data).text for a in m.forwarded)
                ),
            )
        )
    if "attachment_filename" in spec:
        checks.append(
            (
                "attachment",
                lambda m: any(
                    a.data.decode(errors="replace") == spec["attachment_bytes"]
                    for a in m.attachments
                ),
            )
        )
    return checks


def _helpdesk_params() -> list[Any]:
    return [
        pytest.param(name, check, id=f"{name}-{index}-{check[0]}")
        for name in _helpdesk_cases()
        for index, check in enumerate(_helpdesk_checks(name))
    ]


@pytest.mark.parametrize(("name", "check"), _helpdesk_params())
def test_it_matches_django_helpdesk(
    name: str, check: tuple[str, Callable[[ParsedMail], bool]]
) -> None:
    mail = parse_mail((HELPDESK / name).read_bytes())
    _label, predicate = check
    assert predicate(mail), (mail.subject, mail.text[:300])


def test_it_reports_django_helpdesk_pass_rates() -> None:
    results: dict[str, list[bool]] = {}
    for name in _helpdesk_cases():
        mail = parse_mail((HELPDESK / name).read_bytes())
        for label, predicate in _helpdesk_checks(name):
            results.setdefault(label, []).append(predicate(mail))
    print("\ndjango-helpdesk corpus, per check:")
    for label, outcomes in results.items():
        print(f"  {label:12} {sum(outcomes):3}/{len(outcomes)}")
    assert all(all(outcomes) for outcomes in results.values())


# --------------------------------------------------------------------------
# robustness: CPython's test messages and the SpamAssassin corpus

# Mails that may legitimately be refused (MailParseError) because they have no headers.
MAX_REFUSED = {"cpython": 1, "spamassassin": 0}


def _robustness(paths: list[Path]) -> tuple[int, list[str], float]:
    refused: list[str] = []
    started = time.perf_counter()
    for path in paths:
        try:
            parse_mail(path.read_bytes())
        except MailParseError as exc:
            refused.append(f"{path.name}: {exc.reason}")
    return len(paths), refused, time.perf_counter() - started


@pytest.mark.parametrize("corpus", ["cpython", "spamassassin"])
def test_it_never_crashes_on_real_mail(corpus: str) -> None:
    folder = CORPUS / corpus
    if not folder.is_dir():
        pytest.skip(f"{folder} not found")
    pattern = "msg_*.txt" if corpus == "cpython" else "**/*"
    paths = sorted(
        p
        for p in folder.glob(pattern)
        if p.is_file() and not p.name.isupper() and p.suffix != ".md"
    )
    total, refused, seconds = _robustness(paths)
    print(f"\n{corpus}: {total} mails, {len(refused)} refused with MailParseError, {seconds:.1f}s")
    for line in refused:
        print("  ", line)
    assert total > 0
    assert len(refused) <= MAX_REFUSED[corpus]
