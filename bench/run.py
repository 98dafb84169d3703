"""All benchmarks in one run, Anliegen and django-helpdesk side by side.

    .venv/bin/python -m bench            full: 20,000 mails; 10k → 100k → 1M cases; 8 and 32 agents
    .venv/bin/python -m bench --quick    1,000 mails; 10,000 cases; 8 agents (about 3 minutes idle)

Needs PostgreSQL at 127.0.0.1:5432 (BENCH_PG to change); creates and drops its own databases
(anliegen_bench_*). Prints each benchmark's table, then the comparison and the targets; the
JSON lines are kept in bench/results/ (git-ignored)."""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

from bench import ingest, peer, seed, workspace
from bench.common import RESULTS, read_result, table, write_result

TARGETS_MS = {
    "queue_first": 25,
    "queue_deep": 25,
    "case": 25,
    "search_common": 100,
    "search_rare": 100,
    "dashboard": 150,
}


def targets(
    ingest_data: dict[str, Any], peer_ingest: dict[str, Any] | None, ws: dict[str, Any]
) -> str:
    rows = []
    share = ingest_data["ratio_ingest_to_parse_only"]
    rows.append(
        (
            "ingest ≥ 50% of stdlib parse-only speed per core",
            f"{100 * share:.1f}%",
            "met" if share >= 0.5 else "not yet",
        )
    )
    if peer_ingest:
        ahead = ingest_data["ingest_per_s"] / peer_ingest["ingest_per_s"]
        rows.append(
            ("ingest ≥ 8× django-helpdesk", f"{ahead:.1f}×", "met" if ahead >= 8 else "not yet")
        )
    pct = ingest_data["threading"]["threaded_pct"]
    rows.append(("100% of replies threaded", f"{pct}%", "met" if pct >= 100 else "not yet"))
    largest = list(ws["sizes"])[-1]
    for n, ops in ws["sizes"][largest]["latency"].items():
        for op, limit in TARGETS_MS.items():
            p95 = ops[op]["p95"]
            inside = ops[op].get("server_app_p95")
            rows.append(
                (
                    f"{workspace.LABELS[op]} p95 ≤ {limit} ms at {int(largest):,} cases, {n} agents",
                    f"{p95:.1f} ms" + (f" ({inside:.1f} in Django)" if inside is not None else ""),
                    "met" if p95 <= limit else "not yet",
                )
            )
    return table(["target", "measured at the client (in Django)", "status"], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small run, a few minutes")
    parser.add_argument("--no-peer", action="store_true", help="skip django-helpdesk")
    parser.add_argument("--no-ingest", action="store_true", help="reuse bench/results/ingest.json")
    parser.add_argument(
        "--peer-mails", type=int, help="mails for django-helpdesk's import (default 2,000)"
    )
    parser.add_argument("--mails", type=int, help="mails to ingest (default 20,000; quick 2,000)")
    parser.add_argument("--sizes", help="case counts, e.g. 10000,100000,1000000")
    parser.add_argument("--corpus-limit", type=int, help="use only the first N SpamAssassin mails")
    parser.add_argument("--agents", help="simulated agents, e.g. 8,32")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the workspace database of an earlier run"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    if args.quick:
        mails, sizes, agents, samples, peer_mails = 1000, [10_000], [8], {8: 32}, 200
    else:
        mails, sizes, agents, samples, peer_mails = (
            20_000,
            [10_000, 100_000, 1_000_000],
            [8, 32],
            {8: 80, 32: 160},
            2000,
        )
    mails = args.mails or mails
    peer_mails = args.peer_mails or peer_mails
    if args.agents:
        agents = [int(a) for a in args.agents.split(",")]
        samples = {n: samples.get(n, max(48, 5 * n)) for n in agents}
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else sizes

    previous = read_result("ingest") if args.no_ingest else None
    corpus_limit = args.corpus_limit or (300 if args.quick else None)
    ingest_data = previous or ingest.run(mails, corpus_limit=corpus_limit)
    print(f"\n[{time.perf_counter() - started:.0f} s]\n", flush=True)

    the_peer: peer.Peer | None = None

    def peer_at(size: int, world: seed.World) -> dict[str, Any]:
        nonlocal the_peer
        from anliegen.accounts.models import User

        if the_peer is None:
            the_peer = peer.Peer(
                list(User.objects.values_list("username", flat=True)), world.agents, world.leads
            )
        print(f"Peer: copying {size:,} cases into django-helpdesk ...", flush=True)
        seconds = the_peer.grow(workspace.DATABASE, world, size)
        print(f"  copied in {seconds} s", flush=True)
        chosen = workspace.choose_targets(world, max(agents))
        # The peer is slow at scale: fewer samples, no warm-up request and a shorter time
        # limit per operation at a million cases (its dashboard takes minutes there).
        big = size >= 1_000_000
        return the_peer.measure(
            world,
            chosen,
            [agents[0]] if big else agents,
            {n: 16 if big else max(32, samples[n] // 2) for n in agents},
            deadline_seconds=30 if big else 90,
            warmup=0 if big else 1,
        )

    ws = workspace.run(
        sizes, agents, samples, after_size=None if args.no_peer else peer_at, reuse=args.reuse
    )
    print(f"\n[{time.perf_counter() - started:.0f} s]\n", flush=True)

    peer_ingest = None
    if the_peer is not None:
        print(
            f"Peer: its mail import on the first {peer_mails:,} of the same mails ...", flush=True
        )
        folder = RESULTS / "mails-peer"
        from bench import mails as mailgen

        subset = mailgen.build(mails, corpus_limit=corpus_limit)
        subset.mails = subset.mails[:peer_mails]
        mailgen.save(subset, folder)
        # Into an empty database, as Anliegen's ingest: the workspace's million cases would
        # make each of its Message-ID lookups a scan of every follow-up.
        from anliegen.accounts.models import User

        fresh = peer.Peer(
            list(User.objects.values_list("username", flat=True)), the_peer.agents, the_peer.leads
        )
        peer_ingest = fresh.ingest(folder)
        print(
            f"  {peer_ingest['ingest_per_s']} mails/s, replies threaded right "
            f"{peer_ingest['threading']['threaded_right']}/{peer_ingest['threading']['replies']}",
            flush=True,
        )
    if args.no_ingest:  # an ingest run in parallel may have finished meanwhile
        ingest_data = read_result("ingest") or ingest_data
    print()
    print("Anliegen against django-helpdesk 2.6.1")
    print(peer.comparison(ws, ingest_data, peer_ingest))
    print()
    print("Targets")
    print(targets(ingest_data, peer_ingest, ws))
    total = round(time.perf_counter() - started)
    print(f"\nTotal {total} s; load average at the end {os.getloadavg()[0]:.1f} (2 cores)")
    write_result(
        "run",
        {
            "seconds": total,
            "quick": args.quick,
            "ingest": ingest_data,
            "peer_ingest": peer_ingest,
            "workspace": ws,
        },
    )


if __name__ == "__main__":
    main()
