"""The mails the ingest benchmarks feed to Anliegen and to django-helpdesk alike.

The real SpamAssassin ham corpus, plus generated customer threads with realistic German,
Danish and English text (anliegen.tickets.demo): an original mail and one to four replies
that refer to it by In-Reply-To/References. Threads overlap in time, and some replies are
delivered before the mail they answer (as happens with greylisting and slow relays).

Pure Python, no Django: the peer's virtualenv imports this too (only the texts come from
Anliegen's demo module, loaded from its source file without Django)."""

from __future__ import annotations

import ast
import datetime
import random
from dataclasses import dataclass, field
from email.utils import format_datetime
from pathlib import Path

from bench.common import CORPUS, ROOT


@dataclass
class Mail:
    raw: bytes
    message_id: str
    # For generated replies: the Message-ID of the thread's first mail.
    original: str = ""
    generated: bool = False


@dataclass
class MailSet:
    mails: list[Mail] = field(default_factory=list)

    @property
    def replies(self) -> list[Mail]:
        return [m for m in self.mails if m.original]


def corpus_mails(limit: int | None = None) -> list[Mail]:
    paths = sorted(p for p in CORPUS.rglob("*") if p.is_file())
    if limit is not None:
        paths = paths[:limit]
    return [Mail(raw=_as_customer_mail(p.read_bytes()), message_id="") for p in paths]


def _as_customer_mail(raw: bytes) -> bytes:
    """The corpus stands in for customer mail, but most of it is mailing-list traffic marked
    "Precedence: bulk/list", which Anliegen sets aside as automatic instead of opening a case.
    Both systems get the mail without that header, so both do the same work for every mail."""
    head, sep, body = raw.partition(b"\n\n")
    if not sep:
        return raw
    lines = head.split(b"\n")
    kept: list[bytes] = []
    skipping = False
    for line in lines:
        if line[:1] in (b" ", b"\t") and skipping:
            continue  # a folded continuation of the header being dropped
        skipping = line.lower().startswith(b"precedence:")
        if not skipping:
            kept.append(line)
    return b"\n".join(kept) + sep + body


def _demo_texts() -> dict[str, object]:
    """CONCERNS, FIRST_NAMES, LAST_NAMES and DOMAINS from anliegen/tickets/demo.py, read as
    literals so this module works without Django (and in the peer's virtualenv)."""
    tree = ast.parse((ROOT / "anliegen" / "tickets" / "demo.py").read_text())
    wanted = {"FIRST_NAMES", "LAST_NAMES", "DOMAINS", "CONCERNS"}
    found: dict[str, object] = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id in wanted
        ):
            if node.targets[0].id == "CONCERNS":
                found["CONCERNS"] = [
                    {
                        "team": ast.literal_eval(call.args[0]),
                        "subject": ast.literal_eval(call.args[1]),
                        "text": ast.literal_eval(call.args[2]),
                        "follow_up": ast.literal_eval(call.args[3]),
                        "reply": ast.literal_eval(call.args[4]),
                    }
                    for call in node.value.elts  # type: ignore[attr-defined]
                ]
            else:
                found[node.targets[0].id] = ast.literal_eval(node.value)
    return found


TEXTS = _demo_texts()
CONCERNS: list[dict[str, dict[str, str]]] = TEXTS["CONCERNS"]  # type: ignore[assignment]
FIRST_NAMES: dict[str, list[str]] = TEXTS["FIRST_NAMES"]  # type: ignore[assignment]
LAST_NAMES: dict[str, list[str]] = TEXTS["LAST_NAMES"]  # type: ignore[assignment]
DOMAINS: dict[str, list[str]] = TEXTS["DOMAINS"]  # type: ignore[assignment]
LANGUAGES = ["de", "da", "en"]
LANGUAGE_WEIGHTS = [6, 3, 2]
REPLY_PREFIX = {"de": "AW: ", "da": "SV: ", "en": "Re: "}
MORE = {
    "de": [
        "Können Sie mir bitte Bescheid geben, wie es weitergeht?",
        "Ich warte noch auf eine Antwort.",
        "Anbei noch ein Foto.",
        "Meine Vertragsnummer steht in der ersten Mail.",
    ],
    "da": [
        "Kan I give mig besked om, hvad der sker nu?",
        "Jeg venter stadig på et svar.",
        "Vedhæftet er et billede.",
        "Mit kundenummer står i den første mail.",
    ],
    "en": [
        "Could you please let me know what happens next?",
        "I am still waiting for an answer.",
        "Please find a photo attached.",
        "My contract number is in my first mail.",
    ],
}


def _ascii(text: str) -> str:
    for a, b in (
        ("ü", "ue"),
        ("ö", "oe"),
        ("ä", "ae"),
        ("ø", "oe"),
        ("æ", "ae"),
        ("å", "aa"),
        ("ß", "ss"),
    ):
        text = text.replace(a, b)
    return text.lower()


def _mail(
    *,
    sender: str,
    name: str,
    subject: str,
    text: str,
    message_id: str,
    when: datetime.datetime,
    in_reply_to: str = "",
    references: list[str] | None = None,
) -> bytes:
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"] = f"{name} <{sender}>"
    msg["To"] = "service@anliegen.example"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = f"<{message_id}>"
    if in_reply_to:
        msg["In-Reply-To"] = f"<{in_reply_to}>"
    if references:
        msg["References"] = " ".join(f"<{r}>" for r in references)
    msg.set_content(text)
    return msg.as_bytes()


def generated_threads(count: int, *, rng: random.Random, early_share: float = 0.05) -> list[Mail]:
    """At least count mails in threads (an original and 1-4 replies each), in delivery order:
    threads overlap, and early_share of the replies arrive before their original."""
    start = datetime.datetime(2026, 11, 2, 8, 0, tzinfo=datetime.UTC)
    timed: list[tuple[float, Mail]] = []
    customers: list[tuple[str, str, str]] = []
    produced = 0
    thread = 0
    while produced < count:
        thread += 1
        if not customers or rng.random() < 0.7:
            language = rng.choices(LANGUAGES, weights=LANGUAGE_WEIGHTS)[0]
            first, last = rng.choice(FIRST_NAMES[language]), rng.choice(LAST_NAMES[language])
            address = (
                f"{_ascii(first)}.{_ascii(last)}.{len(customers)}@{rng.choice(DOMAINS[language])}"
            )
            customers.append((f"{first} {last}", address, language))
        name, address, language = rng.choice(customers)
        concern = rng.choice(CONCERNS)
        subject = concern["subject"][language]
        if rng.random() < 0.5:
            subject += f" ({rng.randint(100000, 999999)})"
        at = rng.uniform(0, 14 * 24 * 3600)
        mid = f"t{thread}.0.{rng.getrandbits(40):x}@{address.split('@')[1]}"
        text = f"{concern['text'][language]}\n\n{name}"
        timed.append(
            (
                at,
                Mail(
                    _mail(
                        sender=address,
                        name=name,
                        subject=subject,
                        text=text,
                        message_id=mid,
                        when=start + datetime.timedelta(seconds=at),
                    ),
                    mid,
                    generated=True,
                ),
            )
        )
        produced += 1
        chain = [mid]
        for n in range(rng.randint(1, 4)):
            at += rng.uniform(600, 2 * 24 * 3600)
            rid = f"t{thread}.{n + 1}.{rng.getrandbits(40):x}@{address.split('@')[1]}"
            body = concern["follow_up"][language] if n == 0 else rng.choice(MORE[language])
            quoted = "\n".join("> " + line for line in text.splitlines())
            raw = _mail(
                sender=address,
                name=name,
                subject=REPLY_PREFIX[language] + subject,
                text=f"{body}\n\n{name}\n\n{quoted}",
                message_id=rid,
                when=start + datetime.timedelta(seconds=at),
                in_reply_to=chain[-1],
                references=list(chain) if rng.random() < 0.85 else None,
            )
            # Delivered before the original: a slow relay held the first mail back.
            delivered = rng.uniform(0, timed[-1 - n][0]) if rng.random() < early_share else at
            timed.append((delivered, Mail(raw, rid, original=mid, generated=True)))
            chain.append(rid)
            produced += 1
    timed.sort(key=lambda pair: pair[0])
    return [m for _at, m in timed]


def build(total: int, *, corpus_limit: int | None = None, seed: int = 6) -> MailSet:
    """The SpamAssassin corpus (or its first corpus_limit mails) and generated threads up to total,
    interleaved at random."""
    rng = random.Random(seed)
    corpus = corpus_mails(corpus_limit)
    threads = generated_threads(max(0, total - len(corpus)), rng=rng)
    mails: list[Mail] = []
    ci = ti = 0
    while ci < len(corpus) or ti < len(threads):
        take_corpus = ci < len(corpus) and (
            ti >= len(threads) or rng.random() < len(corpus) / (len(corpus) + len(threads))
        )
        if take_corpus:
            mails.append(corpus[ci])
            ci += 1
        else:
            mails.append(threads[ti])
            ti += 1
    return MailSet(mails)


def save(mails: MailSet, folder: Path) -> None:
    """Write the mails (in delivery order) and the expected threads for the peer's process."""
    import json

    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.eml"):
        old.unlink()
    index = []
    for i, m in enumerate(mails.mails):
        (folder / f"{i:06d}.eml").write_bytes(m.raw)
        index.append({"file": f"{i:06d}.eml", "message_id": m.message_id, "original": m.original})
    (folder / "index.json").write_text(json.dumps(index))
