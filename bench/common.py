"""Shared helpers for the benchmarks: databases, the web server, timing, tables, results.

Benchmarks, not tests: they print a table for people and one JSON line for machines, and
write the JSON to bench/results/ (git-ignored)."""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from anliegen.lib.corpora import corpora_dir

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
CORPUS = (corpora_dir() / "mail" / "spamassassin").resolve()
PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
# Database names start with this (BENCH_DB_PREFIX), so two runs can live side by side.
DB_PREFIX = os.environ.get("BENCH_DB_PREFIX", "anliegen_bench")
TEMPLATE_DB = f"{DB_PREFIX}_template"


def db_url(name: str) -> str:
    return f"{PG_SERVER}/{name}"


def admin_sql(sql: str) -> None:
    """Run one statement on the server's maintenance database (CREATE/DROP DATABASE)."""
    import psycopg

    with psycopg.connect(db_url("postgres"), autocommit=True) as conn:
        conn.execute(sql)


def drop_db(name: str) -> None:
    admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def anliegen_env(database: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": db_url(database),
            "DJANGO_SETTINGS_MODULE": "anliegen.settings",
            "ANLIEGEN_DEBUG": "0",
            "ANLIEGEN_DATA_DIR": str(RESULTS / "data"),
        }
    )
    env.pop("ANLIEGEN_ENV", None)
    env.update(extra)
    return env


def fresh_anliegen_db(name: str, *, remigrate: bool = False) -> None:
    """A new, migrated Anliegen database, copied from a migrated template (one migrate per run)."""
    import psycopg

    with psycopg.connect(db_url("postgres"), autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [TEMPLATE_DB]
        ).fetchone()
    if remigrate or not exists:
        drop_db(TEMPLATE_DB)
        admin_sql(f'CREATE DATABASE "{TEMPLATE_DB}"')
        subprocess.run(
            [str(VENV_PYTHON), "-m", "anliegen.cli", "migrate", "-v0"],
            check=True,
            cwd=ROOT,
            env=anliegen_env(TEMPLATE_DB),
        )
    drop_db(name)
    admin_sql(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE_DB}"')


def setup_django(database: str) -> None:
    """Configure Django in this process for the given Anliegen database."""
    os.environ.update(anliegen_env(database))
    sys.path.insert(0, str(ROOT))
    import django
    from django.apps import apps

    if apps.ready:  # set up before for another benchmark database: switch over
        from django.conf import settings
        from django.db import connections

        connections["default"].close()
        if hasattr(connections["default"], "close_pool"):
            # A pool holds connections to the previous database: drop it with them.
            connections["default"].close_pool()
        connections["default"].settings_dict["NAME"] = database
        settings.DATABASES["default"]["NAME"] = database
        return
    django.setup()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A web server in a child process, stopped by its own process id."""

    def __init__(
        self,
        argv: list[str],
        *,
        env: dict[str, str],
        port: int,
        cwd: Path,
        log: Path,
        probe: str = "/accounts/login/",
    ) -> None:
        self.port = port
        self.log = log.open("wb")
        self.proc = subprocess.Popen(
            argv,
            env=env,
            cwd=cwd,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early; see {log}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{probe}", timeout=5):
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"server did not come up; see {log}")

    def stop(self) -> None:
        import signal

        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def anliegen_server(database: str, *, workers: int = 2) -> Server:
    """`anliegen serve` with the benchmark's Server-Timing middleware added (bench/settings_timing.py)."""
    port = free_port()
    env = anliegen_env(
        database, DJANGO_SETTINGS_MODULE="bench.settings_timing", PYTHONPATH=str(ROOT)
    )
    return Server(
        [
            str(ROOT / ".venv" / "bin" / "anliegen"),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--no-migrate",
        ],
        env=env,
        port=port,
        cwd=ROOT,
        log=RESULTS / "anliegen-server.log",
    )


def percentile(values: Sequence[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary_ms(seconds: Sequence[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50": round(percentile(ms, 50), 2),
        "p95": round(percentile(ms, 95), 2),
        "mean": round(statistics.fmean(ms), 2) if ms else float("nan"),
    }


def server_summary(server: dict[str, list[float]]) -> dict[str, float]:
    """Medians of the Server-Timing values (time in Django, its CPU time, SQL time, queries),
    and the 95th percentile of the time in Django: latency without the client's own share and
    without waiting for a free server thread."""
    result = {f"server_{k}_p50": round(percentile(v, 50), 2) for k, v in server.items() if v}
    if server.get("app"):
        result["server_app_p95"] = round(percentile(server["app"], 95), 2)
    return result


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    rows = [[_cell(v) for v in row] for row in rows]
    widths = [
        max(len(str(h)), *(len(r[i]) for r in rows)) if rows else len(str(h))
        for i, h in enumerate(headers)
    ]
    line = "  ".join(str(h).ljust(w) for h, w in zip(headers, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    for r in rows:
        out.append(
            "  ".join(
                v.rjust(w) if _numeric(v) else v.ljust(w) for v, w in zip(r, widths, strict=True)
            )
        )
    return "\n".join(out)


def _cell(v: Any) -> str:
    if isinstance(v, float):
        if v != v:
            return "-"
        return f"{v:,.1f}" if abs(v) >= 100 else f"{v:.2f}"
    if isinstance(v, int):
        return f"{v:,}"
    return "-" if v is None else str(v)


def _numeric(v: str) -> bool:
    return (
        v.replace(",", "")
        .replace(".", "")
        .replace("-", "")
        .replace("×", "")
        .replace("%", "")
        .isdigit()
    )


def write_result(name: str, data: dict[str, Any]) -> None:
    """Print the one JSON line and keep it in bench/results/<name>.json."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"benchmark": name, **data}, default=str, sort_keys=True)
    (RESULTS / f"{name}.json").write_text(line + "\n")
    print(line)


def read_result(name: str) -> dict[str, Any] | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None
