"""The same work in django-helpdesk 2.6.1 (Django 5.2), side by side with Anliegen.

The peer runs from its own virtualenv, bench/.peer (git-ignored), created on first use with
`pip install "django-helpdesk==2.6.1" "Django>=5.2,<5.3" "psycopg[binary]" uvicorn`; its
minimal project is bench/peer_project/. It gets the same mails (through its own mail import)
and the same cases: each size's tickets and follow-ups are copied from the Anliegen benchmark
database (COPY out, COPY in), so both hold identical content. Measured where it has the
operation: ticket list of a queue (its datatables JSON, first page and 500 pages deep), ticket
view, search (its list's search box), dashboard. It has no customer history.

    .venv/bin/python -m bench.peer [--mails 20000] [--sizes 10000,100000] [--agents 8,32]"""

from __future__ import annotations

import argparse
import base64
import json
import random
import subprocess
from pathlib import Path
from typing import Any

from bench import load, seed
from bench.common import (
    DB_PREFIX,
    BENCH,
    RESULTS,
    server_summary,
    Server,
    admin_sql,
    db_url,
    drop_db,
    free_port,
    summary_ms,
    table,
)

DATABASE = f"{DB_PREFIX}_peer"
PEER = BENCH / ".peer"
PEER_PYTHON = PEER / "bin" / "python"
REQUIREMENTS = ["django-helpdesk==2.6.1", "Django>=5.2,<5.3", "psycopg[binary]", "uvicorn"]
OPERATIONS = ["queue_first", "queue_deep", "case", "search_common", "search_rare", "dashboard"]
# helpdesk statuses: 1 open, 2 reopened, 3 resolved, 4 closed
STATUS_SQL = "CASE t.status WHEN 'solved' THEN 3 WHEN 'closed' THEN 4 ELSE 1 END"
PRIORITY_SQL = "CASE t.priority WHEN 4 THEN 1 WHEN 3 THEN 2 WHEN 2 THEN 3 ELSE 4 END"


def ensure_virtualenv() -> None:
    if PEER_PYTHON.exists():
        return
    print("Peer: creating bench/.peer with django-helpdesk 2.6.1 ...", flush=True)
    python = (
        "/root/.pyenv/versions/3.12.1/bin/python3"
        if Path("/root/.pyenv/versions/3.12.1/bin/python3").exists()
        else "python3.12"
    )
    subprocess.run([python, "-m", "venv", str(PEER)], check=True)
    subprocess.run([str(PEER / "bin" / "pip"), "install", "-q", *REQUIREMENTS], check=True)


def peer_env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env.update(
        {
            "PEER_DATABASE_URL": db_url(DATABASE),
            "DJANGO_SETTINGS_MODULE": "peer_project.settings",
            "PYTHONPATH": str(BENCH),
        }
    )
    return env


def peer_task(*args: str) -> None:
    subprocess.run(
        [str(PEER_PYTHON), str(BENCH / "peer_project" / "peer_tasks.py"), *args],
        check=True,
        cwd=BENCH,
        env=peer_env(),
        stdout=subprocess.DEVNULL,
    )


class Peer:
    def __init__(self, usernames: list[str], agents: list[str], leads: list[str]) -> None:
        ensure_virtualenv()
        drop_db(DATABASE)
        admin_sql(f'CREATE DATABASE "{DATABASE}"')
        subprocess.run(
            [str(PEER_PYTHON), "-m", "django", "migrate", "-v0"],
            check=True,
            cwd=BENCH,
            env=peer_env(),
        )
        out = RESULTS / "peer-setup.json"
        peer_task("setup", json.dumps(usernames), seed.BENCH_PASSWORD, str(out))
        made = json.loads(out.read_text())
        self.queues: dict[str, int] = made["queues"]
        self.users: dict[str, int] = made["users"]
        self.agents, self.leads = agents, leads
        self.have = 0
        self.cookies: dict[str, dict[str, str]] = {}

    def grow(self, source: str, world: seed.World, want: int) -> float:
        """Copy cases have+1..want of the Anliegen database into helpdesk's tables."""
        import time

        import psycopg

        started = time.perf_counter()
        with psycopg.connect(db_url(source)) as src_conn:
            names = dict(src_conn.execute("SELECT id, username FROM accounts_user").fetchall())
        users = (
            ", ".join(f"({a}, {self.users[n]})" for a, n in names.items() if n in self.users)
            or "(0, NULL)"
        )
        queues = ", ".join(f"({tid}, {self.queues[slug]})" for slug, tid in world.teams.items())
        tickets_sql = (
            "SELECT t.id, t.subject, t.created_at, t.updated_at, e.address, "
            + STATUS_SQL
            + ", t.status = 'pending', "
            "m.text, '', "
            + PRIORITY_SQL
            + ", NULL, NULL, u.peer, q.peer, md5(t.id::text), NULL, NULL "
            "FROM tickets_ticket t JOIN customers_customeremail e ON e.customer_id = t.customer_id "
            "LEFT JOIN tickets_message m ON m.ticket_id = t.id AND m.message_id <> '' "
            f"LEFT JOIN (VALUES {users}) AS u(anl, peer) ON u.anl = t.assignee_id "
            f"JOIN (VALUES {queues}) AS q(anl, peer) ON q.anl = t.team_id "
            f"WHERE t.id > {self.have} AND t.id <= {want}"
        )
        followups_sql = (
            "SELECT m.id, m.created_at, CASE m.kind WHEN 'inbound' THEN 'E-Mail Received' ELSE 'Comment' END, "
            "m.text, m.kind <> 'note', NULL, m.ticket_id, u.peer, NULLIF(m.message_id, ''), NULL, NULL "
            f"FROM tickets_message m LEFT JOIN (VALUES {users}) AS u(anl, peer) ON u.anl = m.author_user_id "
            f"WHERE m.ticket_id > {self.have} AND m.ticket_id <= {want}"
        )
        with (
            psycopg.connect(db_url(source)) as src,
            psycopg.connect(db_url(DATABASE), autocommit=True) as dst,
        ):
            dst.execute("SET maintenance_work_mem = '512MB'")
            dst.execute("SET session_replication_role = replica")
            big = want - self.have > 50_000
            indexes = []
            if big:
                rows = dst.execute(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('helpdesk_ticket', "
                    "'helpdesk_followup') AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = indexname)"
                ).fetchall()
                for name, definition in rows:
                    dst.execute(f'DROP INDEX "{name}"')
                    indexes.append(definition)
            for sql, target in (
                (
                    tickets_sql,
                    "helpdesk_ticket (id, title, created, modified, submitter_email, "
                    "status, on_hold, description, resolution, priority, due_date, last_escalation, "
                    "assigned_to_id, queue_id, secret_key, kbitem_id, merged_to_id)",
                ),
                (
                    followups_sql,
                    "helpdesk_followup (id, date, title, comment, public, new_status, "
                    "ticket_id, user_id, message_id, time_spent, email_recipients)",
                ),
            ):
                with (
                    src.cursor().copy(f"COPY ({sql}) TO STDOUT") as out,
                    dst.cursor().copy(f"COPY {target} FROM STDIN") as into,
                ):
                    for chunk in out:
                        into.write(chunk)
            for definition in indexes:
                dst.execute(definition)
            for table_name in ("helpdesk_ticket", "helpdesk_followup"):
                dst.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table_name}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {table_name}))"
                )
                dst.execute(f"VACUUM ANALYZE {table_name}")
        self.have = want
        return round(time.perf_counter() - started, 1)

    def server(self) -> Server:
        port = free_port()
        return Server(
            [
                str(PEER_PYTHON),
                "-m",
                "uvicorn",
                "peer_project.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "2",
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            env=peer_env(),
            port=port,
            cwd=BENCH,
            log=RESULTS / "peer-server.log",
            probe="/helpdesk/login/",
        )

    def measure(
        self,
        world: seed.World,
        targets: Any,
        agents: list[int],
        samples: dict[int, int],
        *,
        deadline_seconds: float = 90,
        warmup: int = 1,
    ) -> dict[str, Any]:
        """With a deadline, no new request starts after it (those under way finish); at a
        million cases some of the peer's pages take over a minute each."""
        server = self.server()
        try:
            top = max(agents)
            sessions = load.login_all(
                server.port,
                "/helpdesk/login/",
                self.agents[:top],
                seed.BENCH_PASSWORD,
                cookies=self.cookies,
            )
            leads = load.login_all(
                server.port,
                "/helpdesk/login/",
                self.leads[:top],
                seed.BENCH_PASSWORD,
                cookies=self.cookies,
            )
            result: dict[str, Any] = {}
            for n in agents:
                for op in OPERATIONS:
                    pool = leads if op == "dashboard" else sessions
                    got = load.measure(
                        pool[:n],
                        self.path_maker(op, targets, world),
                        samples=samples[n],
                        seed=n,
                        deadline_seconds=deadline_seconds,
                        warmup=warmup,
                    )
                    result.setdefault(str(n), {})[op] = {
                        **summary_ms(got.seconds),
                        **server_summary(got.server),
                        "errors": got.errors,
                    }
                    print(
                        f"  peer {n:>2} agents  {op:<17} p50 {result[str(n)][op]['p50']:>8.1f} ms  "
                        f"p95 {result[str(n)][op]['p95']:>8.1f} ms  "
                        f"server cpu {result[str(n)][op].get('server_cpu_p50', 0):>6.1f} ms, "
                        f"sql {result[str(n)][op].get('server_db_p50', 0):>6.1f} ms "
                        f"({result[str(n)][op].get('server_queries_p50', 0):.0f} queries)  errors {got.errors or '-'}",
                        flush=True,
                    )
            return result
        finally:
            server.stop()

    def path_maker(self, op: str, targets: Any, world: seed.World) -> Any:
        def listing(filtering: dict[str, Any], search: str = "", start: int = 0) -> str:
            query = {
                "filtering": filtering,
                "sorting": "created",
                "sortreverse": True,
                "search_string": search,
            }
            encoded = base64.b64encode(json.dumps(query).encode()).decode()
            return (
                f"/helpdesk/datatables_ticket_list/{encoded}?draw=1&start={start}&length=50"
                "&order[0][column]=5&order[0][dir]=desc"
            )

        def make(i: int, rng: random.Random) -> str:
            slug = targets.slug[i]
            queue = self.queues[slug]
            if op == "queue_first":
                return listing({"queue__id__in": [queue], "status__in": [1, 2]})
            if op == "queue_deep":
                return listing({"queue__id__in": [queue]}, start=targets.deep_rows[slug])
            if op == "case":
                return f"/helpdesk/tickets/{rng.choice(targets.cases[slug])}/"
            if op == "search_common":
                return listing({"queue__id__in": [queue]}, search="router")
            if op == "search_rare":
                return listing(
                    {"queue__id__in": [queue]},
                    search=seed.surname(rng.choice(targets.customers[slug])),
                )
            if op == "dashboard":
                return "/helpdesk/dashboard/"
            raise ValueError(op)

        return make

    def ingest(self, folder: Path) -> dict[str, Any]:
        out = RESULTS / "peer-ingest.json"
        peer_task("ingest", str(folder), str(out))
        raw = json.loads(out.read_text())
        return {
            "mails": raw["mails"],
            "ingest_per_s": round(raw["mails"] / raw["seconds"], 1),
            "ingest_cpu_ms_per_mail": round(
                1000 * raw.get("cpu_seconds", float("nan")) / raw["mails"], 2
            ),
            "ingest_ms": summary_ms(raw["times"]),
            "failed": raw["failed"],
            "threading": {
                "replies": raw["replies"],
                "threaded_right": raw["threaded_right"],
                "threaded_pct": round(100 * raw["threaded_right"] / max(1, raw["replies"]), 2),
                "early_replies": raw["early_replies"],
                "early_threaded_right": raw["early_threaded_right"],
            },
        }


def comparison(
    anliegen: dict[str, Any], ingest: dict[str, Any] | None, peer_ingest: dict[str, Any] | None
) -> str:
    """Side-by-side table: p95 of each operation in both, how many times faster Anliegen is,
    and the median CPU time per request inside each server (robust on a busy machine)."""
    nan = float("nan")
    rows: list[tuple[Any, ...]] = []
    if ingest and peer_ingest:
        ahead = ingest["ingest_per_s"] / peer_ingest["ingest_per_s"]
        rows.append(
            (
                "mail ingest, mails/s",
                "-",
                "-",
                ingest["ingest_per_s"],
                peer_ingest["ingest_per_s"],
                f"{ahead:.1f}×",
                ingest.get("ingest_cpu_ms_per_mail", nan),
                peer_ingest.get("ingest_cpu_ms_per_mail", nan),
            )
        )
        rows.append(
            (
                "replies threaded right, %",
                "-",
                "-",
                ingest["threading"]["threaded_pct"],
                peer_ingest["threading"]["threaded_pct"],
                "-",
                nan,
                nan,
            )
        )
    for size, sized in anliegen["sizes"].items():
        for n, ops in sized.get("peer", {}).items():
            for op, p in ops.items():
                a = sized["latency"][n][op]
                ratio = p["p95"] / a["p95"] if a["p95"] and p["p95"] == p["p95"] else nan
                rows.append(
                    (
                        op,
                        f"{int(size):,}",
                        n,
                        a["p95"],
                        p["p95"],
                        f"{ratio:.1f}×" if ratio == ratio else "-",
                        a.get("server_cpu_p50", nan),
                        p.get("server_cpu_p50", nan),
                    )
                )
    headers = [
        "measure (p95 ms unless stated)",
        "cases",
        "agents",
        "Anliegen",
        "django-helpdesk",
        "Anliegen ahead by",
        "CPU ms Anliegen",
        "CPU ms helpdesk",
    ]
    return table(headers, rows)


def main() -> None:
    """Standalone: seed the Anliegen benchmark database (no server), copy to the peer, measure
    the peer only (run bench.run for both side by side)."""
    from bench import workspace
    from bench.common import fresh_anliegen_db, setup_django

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--agents", default="8,32")
    parser.add_argument("--mails-folder", default=str(RESULTS / "mails"))
    args = parser.parse_args()
    agents = [int(a) for a in args.agents.split(",")]
    fresh_anliegen_db(workspace.DATABASE)
    setup_django(workspace.DATABASE)
    world = seed.create_world(agents=max(agents))
    from anliegen.accounts.models import User

    peer = Peer(list(User.objects.values_list("username", flat=True)), world.agents, world.leads)
    have = 0
    results = {}
    for size in [int(s) for s in args.sizes.split(",")]:
        seed.grow(db_url(workspace.DATABASE), world, have=have, want=size)
        have = size
        peer.grow(workspace.DATABASE, world, size)
        targets = workspace.choose_targets(world, max(agents))
        results[str(size)] = peer.measure(
            world, targets, agents, {n: max(40, 3 * n) for n in agents}
        )
    if Path(args.mails_folder, "index.json").exists():
        results["ingest"] = peer.ingest(Path(args.mails_folder))
    print(json.dumps({"benchmark": "peer", **results}, default=str))


if __name__ == "__main__":
    main()
