"""The agent workspace at scale: seed 10,000 → 100,000 → 1,000,000 cases by bulk loading,
then, with 8 and 32 simulated agents over HTTP against `anliegen serve`, measure p50/p95
latency of the team queue (first page and a page 500 deep), the case view, search for a
common and a rare word, the customer history and the lead's dashboard.

    .venv/bin/python -m bench.workspace [--sizes 10000,100000,1000000] [--agents 8,32]

Prints a table and one JSON line; keeps the JSON in bench/results/workspace.json."""

from __future__ import annotations

import argparse
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench import load, seed
from bench.common import (
    DB_PREFIX,
    anliegen_server,
    server_summary,
    db_url,
    fresh_anliegen_db,
    setup_django,
    summary_ms,
    table,
    write_result,
)

DATABASE = f"{DB_PREFIX}_workspace"
COMMON_WORD = "router"
DEEP_ROW = 25_000  # page 500 at 50 cases a page
OPERATIONS = [
    "queue_first",
    "queue_deep",
    "case",
    "search_common",
    "search_rare",
    "customer_history",
    "dashboard",
]
LABELS = {
    "queue_first": "team queue, first page",
    "queue_deep": "team queue, page 500 deep",
    "case": "case view",
    "search_common": f"search, common word ({COMMON_WORD})",
    "search_rare": "search, rare word (a surname)",
    "customer_history": "customer history (API)",
    "dashboard": "lead's dashboard",
}


@dataclass
class Targets:
    """What each simulated agent asks for, chosen from the seeded data."""

    slug: dict[int, str] = field(default_factory=dict)
    deep: dict[int, str] = field(default_factory=dict)
    deep_rows: dict[str, int] = field(default_factory=dict)
    cases: dict[str, list[int]] = field(default_factory=dict)
    customers: dict[str, list[int]] = field(default_factory=dict)


def choose_targets(world: seed.World, agents: int) -> Targets:
    from django.db import connection

    from anliegen.tickets.queues import encode_position

    targets = Targets()
    with connection.cursor() as cursor:
        for slug in seed.SUPPORT_TEAMS:
            team = world.teams[slug]
            cursor.execute("SELECT count(*) FROM tickets_ticket WHERE team_id = %s", [team])
            count = cursor.fetchone()[0]
            row = min(DEEP_ROW, count) - 1
            cursor.execute(
                "SELECT last_activity_at, id FROM tickets_ticket WHERE team_id = %s "
                "ORDER BY last_activity_at DESC, id DESC OFFSET %s LIMIT 1",
                [team, row],
            )
            stamp, pk = cursor.fetchone()
            targets.deep[team] = encode_position(stamp, pk)
            targets.deep_rows[slug] = row + 1
            cursor.execute(
                "SELECT id, customer_id FROM tickets_ticket TABLESAMPLE SYSTEM (5) WHERE team_id = %s "
                "LIMIT 400",
                [team],
            )
            rows = cursor.fetchall() or []
            if len(rows) < 50:
                cursor.execute(
                    "SELECT id, customer_id FROM tickets_ticket WHERE team_id = %s "
                    "ORDER BY random() LIMIT 400",
                    [team],
                )
                rows = cursor.fetchall()
            targets.cases[slug] = [r[0] for r in rows]
            targets.customers[slug] = [r[1] for r in rows]
    for i in range(agents):
        targets.slug[i] = seed.SUPPORT_TEAMS[i % 2]
    return targets


def path_maker(op: str, targets: Targets, world: seed.World) -> Callable[[int, random.Random], str]:
    from anliegen.tickets.models import format_number

    def make(i: int, rng: random.Random) -> str:
        slug = targets.slug[i]
        if op == "queue_first":
            return f"/queues/{slug}/"
        if op == "queue_deep":
            return f"/queues/{slug}/?status=all&after={targets.deep[world.teams[slug]]}"
        if op == "case":
            return f"/cases/{format_number(rng.choice(targets.cases[slug]))}/"
        if op == "search_common":
            return f"/search/?q={COMMON_WORD}"
        if op == "search_rare":
            return f"/search/?q={seed.surname(rng.choice(targets.customers[slug]))}"
        if op == "customer_history":
            return f"/api/customers/{rng.choice(targets.customers[slug])}/cases"
        if op == "dashboard":
            return "/lead/"
        raise ValueError(op)

    return make


COOKIES: dict[str, dict[str, str]] = {}


def measure_size(
    port: int,
    world: seed.World,
    tokens: list[str],
    targets: Targets,
    agents: list[int],
    samples: dict[int, int],
) -> dict[str, Any]:
    top = max(agents)
    sessions = load.login_all(
        port, "/accounts/login/", world.agents[:top], seed.BENCH_PASSWORD, cookies=COOKIES
    )
    leads = load.login_all(
        port, "/accounts/login/", world.leads[:top], seed.BENCH_PASSWORD, cookies=COOKIES
    )
    api = []
    for token in tokens[:top]:
        s = load.Session(port)
        s.headers["Authorization"] = f"Bearer {token}"
        api.append(s)
    result: dict[str, Any] = {}
    for n in agents:
        for op in OPERATIONS:
            pool = leads if op == "dashboard" else api if op == "customer_history" else sessions
            got = load.measure(pool[:n], path_maker(op, targets, world), samples=samples[n], seed=n)
            result.setdefault(str(n), {})[op] = {
                **summary_ms(got.seconds),
                **server_summary(got.server),
                "errors": got.errors,
                "kb": round(sum(got.sizes) / max(1, len(got.sizes)) / 1024, 1),
            }
            print(
                f"  {n:>2} agents  {op:<17} p50 {result[str(n)][op]['p50']:>8.1f} ms  "
                f"p95 {result[str(n)][op]['p95']:>8.1f} ms  "
                f"server cpu {result[str(n)][op].get('server_cpu_p50', 0):>6.1f} ms, "
                f"sql {result[str(n)][op].get('server_db_p50', 0):>6.1f} ms "
                f"({result[str(n)][op].get('server_queries_p50', 0):.0f} queries)  errors {got.errors or '-'}",
                flush=True,
            )
    return result


def existing_cases() -> int | None:
    """How many cases the benchmark database holds, or None when there is none."""
    import psycopg

    try:
        with psycopg.connect(db_url(DATABASE)) as conn:
            return conn.execute("SELECT count(*) FROM tickets_ticket").fetchone()[0]
    except psycopg.Error:
        return None


def run(
    sizes: list[int],
    agents: list[int],
    samples: dict[int, int],
    after_size: Callable[[int, seed.World], dict[str, Any]] | None = None,
    reuse: bool = False,
) -> dict[str, Any]:
    """reuse: keep the database of an earlier run and measure the sizes it already holds
    (or grow it); to measure the same data again after a change."""
    have = existing_cases() if reuse else None
    if have is None:
        fresh_anliegen_db(DATABASE)
    setup_django(DATABASE)
    from anliegen.accounts.models import User
    from anliegen.api.actions import create_token

    world = seed.create_world(agents=max(agents)) if have is None else seed.load_world()
    have = have or 0
    tokens = [
        create_token(user=User.objects.get(username=u), name="bench")[1] for u in world.agents
    ]
    data: dict[str, Any] = {"sizes": {}, "agents": agents, "think_seconds": load.THINK_SECONDS}
    for size in sizes:
        if size < have:
            print(f"Workspace: {size:,} cases skipped (the reused database holds {have:,})")
            continue
        if size == have:
            info = {"cases": size, "reused": True}
        else:
            print(f"Workspace: seeding {have:,} → {size:,} cases ...", flush=True)
            info = seed.grow(db_url(DATABASE), world, have=have, want=size)
            print(f"  seeded in {info['seconds']} s ({info['messages']:,} messages)", flush=True)
        have = size
        targets = choose_targets(world, max(agents))
        server = anliegen_server(DATABASE)
        try:
            started = time.perf_counter()
            measured = measure_size(server.port, world, tokens, targets, agents, samples)
        finally:
            server.stop()
        data["sizes"][str(size)] = {
            "seed": info,
            "deep_rows": targets.deep_rows,
            "latency": measured,
            "load_average": os.getloadavg()[0],
            "measure_seconds": round(time.perf_counter() - started, 1),
        }
        if after_size is not None:
            data["sizes"][str(size)]["peer"] = after_size(size, world)
    print()
    print(report(data))
    write_result("workspace", data)
    return data


def report(data: dict[str, Any]) -> str:
    sizes = list(data["sizes"])
    headers = ["operation (p50 / p95 ms)"]
    for n in data["agents"]:
        headers += [f"{int(s):,} cases, {n} agents" for s in sizes]
    if len(sizes) > 1:
        headers.append(
            f"p95 growth {int(sizes[0]):,}→{int(sizes[-1]):,} ({data['agents'][-1]} agents)"
        )
    rows = []
    for op in OPERATIONS:
        row = [LABELS[op]]
        for n in data["agents"]:
            for s in sizes:
                m = data["sizes"][s]["latency"][str(n)][op]
                row.append(f"{m['p50']:.1f} / {m['p95']:.1f}" + (" !" if m["errors"] else ""))
        if len(sizes) > 1:
            first = data["sizes"][sizes[0]]["latency"][str(data["agents"][-1])][op]["p95"]
            last = data["sizes"][sizes[-1]]["latency"][str(data["agents"][-1])][op]["p95"]
            row.append(f"{last / first:.2f}×" if first else "-")
        rows.append(row)
    n0 = str(data["agents"][0])
    server_rows = []
    for op in OPERATIONS:
        row = [LABELS[op]]
        for s in sizes:
            m = data["sizes"][s]["latency"][n0][op]
            row.append(
                f"{m.get('server_cpu_p50', float('nan')):.1f} / {m.get('server_db_p50', float('nan')):.1f}"
                f" / {m.get('server_queries_p50', float('nan')):.0f}"
            )
        server_rows.append(row)
    server_table = table(
        [
            f"inside the server, {n0} agents: CPU ms / SQL ms / queries (medians)",
            *[f"{int(s):,} cases" for s in sizes],
        ],
        server_rows,
    )
    notes = [
        server_table,
        "deep page rows: " + ", ".join(f"{s}: {data['sizes'][s]['deep_rows']}" for s in sizes),
        "! = some requests failed (see JSON)",
    ]
    return table(headers, rows) + "\n" + "\n".join(notes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--agents", default="8,32")
    parser.add_argument(
        "--reuse", action="store_true", help="measure the database of an earlier run again"
    )
    parser.add_argument(
        "--samples", type=int, default=0, help="requests per operation (default 10 per agent, ≥ 80)"
    )
    args = parser.parse_args()
    agents = [int(a) for a in args.agents.split(",")]
    samples = {n: args.samples or max(80, 5 * n) for n in agents}
    run([int(s) for s in args.sizes.split(",")], agents, samples, reuse=args.reuse)


if __name__ == "__main__":
    main()
