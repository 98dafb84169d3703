"""Mail ingest: the full path (parse, thread, store, index) into PostgreSQL, against the
standard library's parse-only speed on the same mails. Mails go through ingest_mails, as the
import does: batches of --batch mails per transaction.

    .venv/bin/python -m bench.ingest [--mails 20000] [--corpus-limit N] [--batch 100]

Prints a table and one JSON line; keeps the JSON in bench/results/ingest.json."""

from __future__ import annotations

import argparse
import time
from email import message_from_bytes, policy
from typing import Any

from bench import mails as mailgen
from bench.common import DB_PREFIX, fresh_anliegen_db, setup_django, summary_ms, table, write_result

DATABASE = f"{DB_PREFIX}_ingest"
HEADERS = ("From", "To", "Cc", "Subject", "Date", "Message-ID", "In-Reply-To", "References")


def parse_only(raws: list[bytes]) -> tuple[float, list[float]]:
    """The standard library alone: parse, read the headers, extract the body."""
    times = []
    started = time.perf_counter()
    for raw in raws:
        t0 = time.perf_counter()
        msg = message_from_bytes(raw, policy=policy.default)
        for name in HEADERS:
            str(msg.get(name, ""))
        try:
            body = msg.get_body(preferencelist=("plain", "html"))
            if body is not None:
                body.get_content()
        except (LookupError, UnicodeError, AttributeError, ValueError, TypeError):
            pass  # a broken part: the stdlib path would skip it as well
        times.append(time.perf_counter() - t0)
    return time.perf_counter() - started, times


def anliegen_parse_only(raws: list[bytes]) -> float:
    from anliegen.mail.parse import MailParseError, parse_mail

    started = time.perf_counter()
    for raw in raws:
        try:
            parse_mail(raw)
        except MailParseError:
            pass
    return time.perf_counter() - started


def threading_check(mail_set: mailgen.MailSet) -> dict[str, Any]:
    """Share of generated replies whose case (after merges) is their original's case."""
    from anliegen.mail.models import InboundMail
    from anliegen.tickets.models import Ticket

    generated = [m for m in mail_set.mails if m.generated]
    case_of: dict[str, int | None] = {}
    ids = [m.message_id for m in generated]
    for i in range(0, len(ids), 5000):
        for mid, ticket_id in InboundMail.objects.filter(
            message_id__in=ids[i : i + 5000]
        ).values_list("message_id", "ticket_id"):
            case_of[mid] = ticket_id
    merged = dict(
        Ticket.objects.filter(merged_into__isnull=False).values_list("id", "merged_into_id")
    )

    def final(ticket_id: int | None) -> int | None:
        seen = set()
        while ticket_id in merged and ticket_id not in seen:
            seen.add(ticket_id)
            ticket_id = merged[ticket_id]
        return ticket_id

    replies = mail_set.replies
    right = sum(
        1
        for r in replies
        if case_of.get(r.message_id) is not None
        and final(case_of.get(r.message_id)) == final(case_of.get(r.original))
    )
    early = 0
    position = {m.message_id: i for i, m in enumerate(mail_set.mails) if m.generated}
    early_ok = 0
    for r in replies:
        if position[r.message_id] < position[r.original]:
            early += 1
            early_ok += final(case_of.get(r.message_id)) == final(case_of.get(r.original))
    originals = {r.original for r in replies}
    return {
        "replies": len(replies),
        "threaded_right": right,
        "threaded_pct": round(100 * right / len(replies), 2) if replies else 100.0,
        "early_replies": early,
        "early_threaded_right": early_ok,
        "threads": len(originals),
    }


def run(total: int = 20000, corpus_limit: int | None = None, batch: int = 100) -> dict[str, Any]:
    print(f"Ingest: building {total:,} mails ...", flush=True)
    mail_set = mailgen.build(total, corpus_limit=corpus_limit)
    raws = [m.raw for m in mail_set.mails]
    mailgen.save(mail_set, mailgen.ROOT / "bench" / "results" / "mails")
    parse_seconds, parse_times = min((parse_only(raws) for _ in range(2)), key=lambda r: r[0])

    fresh_anliegen_db(DATABASE)
    setup_django(DATABASE)
    from anliegen.accounts.actions import create_team
    from anliegen.mail.ingest import ingest_mails
    from anliegen.mail.models import Source

    own_parse_seconds = anliegen_parse_only(raws)
    from anliegen.mail.models import Mailbox

    team = create_team(
        name="Support", slug="support", kind="support", email="support@anliegen.example"
    )
    # As in production: mail arrives through a configured mailbox that belongs to a team.
    mailbox = Mailbox.objects.select_related("team").get(
        pk=Mailbox.objects.create(name="Service", team=team, address="service@anliegen.example").pk
    )
    outcomes: dict[str, int] = {}
    times: list[float] = []
    print(
        f"Ingest: {len(raws):,} mails through ingest_mails (batches of {batch}) into PostgreSQL ...",
        flush=True,
    )
    last = [0.0]

    def done(result: Any) -> None:
        # Each mail's time runs from the end of the one before; a batch's commit is added to
        # its last mail.
        now = time.perf_counter()
        times.append(now - last[0])
        last[0] = now
        outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1

    started, cpu_started = time.perf_counter(), time.process_time()
    for i in range(0, len(raws), batch):
        last[0] = time.perf_counter()
        ingest_mails(raws[i : i + batch], source=Source.IMPORT, mailbox=mailbox, each=done)
        times[-1] += time.perf_counter() - last[0]
    ingest_seconds = time.perf_counter() - started
    ingest_cpu = time.process_time() - cpu_started
    threads = threading_check(mail_set)

    n = len(raws)
    data = {
        "mails": n,
        "corpus_mails": sum(1 for m in mail_set.mails if not m.generated),
        "generated_mails": sum(1 for m in mail_set.mails if m.generated),
        "ingest_per_s": round(n / ingest_seconds, 1),
        # CPU of this process only (PostgreSQL's work is elsewhere): barely moved by other load.
        "ingest_cpu_ms_per_mail": round(1000 * ingest_cpu / n, 2),
        "ingest_ms": summary_ms(times),
        "parse_only_per_s": round(n / parse_seconds, 1),
        "parse_only_ms": summary_ms(parse_times),
        "anliegen_parse_per_s": round(n / own_parse_seconds, 1),
        "ratio_ingest_to_parse_only": round(parse_seconds / ingest_seconds, 3),
        "outcomes": outcomes,
        "threading": threads,
    }
    print()
    print(
        table(
            ["measure", "value"],
            [
                (
                    "mails (SpamAssassin + generated threads)",
                    f"{n:,} ({data['corpus_mails']:,} + {data['generated_mails']:,})",
                ),
                ("full ingest, mails/s (1 process)", data["ingest_per_s"]),
                (
                    "full ingest, CPU ms per mail in the ingesting process",
                    data["ingest_cpu_ms_per_mail"],
                ),
                (
                    "full ingest per mail p50 / p95 ms",
                    f"{data['ingest_ms']['p50']} / {data['ingest_ms']['p95']}",
                ),
                ("stdlib parse-only, mails/s", data["parse_only_per_s"]),
                (
                    "stdlib parse-only per mail p50 / p95 ms",
                    f"{data['parse_only_ms']['p50']} / {data['parse_only_ms']['p95']}",
                ),
                ("Anliegen parse_mail only, mails/s", data["anliegen_parse_per_s"]),
                ("ingest / parse-only", f"{100 * data['ratio_ingest_to_parse_only']:.1f}%"),
                (
                    "replies threaded into their original's case",
                    f"{threads['threaded_right']:,} / {threads['replies']:,} ({threads['threaded_pct']}%)",
                ),
                (
                    "  of which delivered before the original",
                    f"{threads['early_threaded_right']:,} / {threads['early_replies']:,}",
                ),
                ("outcomes", ", ".join(f"{k} {v:,}" for k, v in sorted(outcomes.items()))),
            ],
        )
    )
    write_result("ingest", data)
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mails", type=int, default=20000)
    parser.add_argument("--corpus-limit", type=int, default=None)
    parser.add_argument(
        "--batch", type=int, default=100, help="mails per transaction (1: one commit per mail)"
    )
    args = parser.parse_args()
    run(args.mails, args.corpus_limit, max(1, args.batch))


if __name__ == "__main__":
    main()
