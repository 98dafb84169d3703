"""The crash test: mail keeps arriving over IMAP and SMTP while the processes that store it
(`anliegen poll-mail` and `anliegen smtpd`, run as real subprocesses) are killed with SIGKILL
at random moments and restarted. Afterwards every mail is stored exactly once: nothing lost,
nothing doubled.

The subprocesses need a database they can see, so the test makes its own: a SQLite file, or
a fresh PostgreSQL database next to DATABASE_URL's when the suite runs on PostgreSQL. It
reads the results with plain SQL (tickets_message, mail_inboundmail, mail_quarantine).

ANLIEGEN_CRASH_MAILS (default 2000) and ANLIEGEN_CRASH_KILLS (default 8) size it;
ANLIEGEN_CRASH_SEED makes the kill moments repeatable. The figures are printed at the end.
"""

from __future__ import annotations

import datetime
import json
import os
import random
import signal
import smtplib
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from anliegen.mail.testing_servers import Dovecot, free_port

pytestmark = [pytest.mark.slow, pytest.mark.imap]

MAILS = int(os.environ.get("ANLIEGEN_CRASH_MAILS", "2000"))
KILLS = int(os.environ.get("ANLIEGEN_CRASH_KILLS", "8"))
SEED = int(os.environ.get("ANLIEGEN_CRASH_SEED", str(int(time.time()))))
DEADLINE = float(os.environ.get("ANLIEGEN_CRASH_DEADLINE", "900"))  # seconds, a safety net
ANLIEGEN = str(Path(sys.executable).with_name("anliegen"))


def crash_mail(n: int, channel: str) -> tuple[str, bytes]:
    """A distinct mail from a distinct sender (so loop protection stays out of the way)."""
    message_id = f"crash-{channel}-{n}@customers.example"
    msg = EmailMessage()
    msg["From"] = f"Kunde {n} <kunde{n}.{channel}@customers.example>"
    msg["To"] = f"{channel}@crash.example"
    msg["Subject"] = f"Anliegen Nummer {n} über {channel}"
    msg["Date"] = format_datetime(datetime.datetime.now(datetime.UTC))
    msg["Message-ID"] = f"<{message_id}>"
    msg.set_content(f"Guten Tag,\n\nmein Anliegen Nummer {n} kam über {channel}.\n\nViele Grüße\nKunde {n}\n")
    return message_id, msg.as_bytes()


# --- the database the subprocesses share ---------------------------------------------------------

@dataclass
class CrashDatabase:
    url: str
    query: Callable[[str], list[tuple[Any, ...]]]


@contextmanager
def crash_database(tmp_path: Path) -> Iterator[CrashDatabase]:
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith(("postgres://", "postgresql://")):
        import psycopg

        parts = urlsplit(base)
        name = f"{parts.path.lstrip('/') or 'anliegen'}_crash_{os.getpid()}"
        admin = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        url = urlunsplit(parts._replace(path=f"/{name}"))

        def query(sql: str) -> list[tuple[Any, ...]]:
            with psycopg.connect(url) as conn:
                return list(conn.execute(sql).fetchall())

        try:
            yield CrashDatabase(url, query)
        finally:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        path = tmp_path / "crash.sqlite3"

        def query(sql: str) -> list[tuple[Any, ...]]:
            conn = sqlite3.connect(path, timeout=30)
            try:
                return list(conn.execute(sql).fetchall())
            finally:
                conn.close()

        yield CrashDatabase(f"sqlite:///{path}", query)


SETUP = """
import django, json, os
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0, interactive=False)
from anliegen.accounts.actions import create_team
from anliegen.mail.models import Mailbox
team = create_team(name="Crash", kind="support", confidential=False, default_language="de")
Mailbox.objects.create(name="IMAP", team=team, address="imap@crash.example", imap_host="127.0.0.1",
                       imap_port=int(os.environ["CRASH_IMAP_PORT"]), imap_user="service", imap_password="secret",
                       use_ssl=False)
Mailbox.objects.create(name="SMTP", team=team, address="smtp@crash.example")
print("ready")
"""


# --- the processes under test -------------------------------------------------------------------

class Supervised:
    """A subprocess that is killed with SIGKILL and started again."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log_dir: Path, ready_text: str) -> None:
        self.name, self.args, self.env, self.ready_text = name, args, env, ready_text
        self.log = log_dir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.kills = 0
        self._log_offset = 0

    def start(self) -> None:
        self._log_offset = self.log.stat().st_size if self.log.exists() else 0
        handle = self.log.open("ab")
        self.process = subprocess.Popen(self.args, env=self.env, stdout=handle, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True)
        handle.close()
        self.starts += 1

    def ready(self) -> bool:
        if not self.log.exists():
            return False
        with self.log.open("rb") as handle:
            handle.seek(self._log_offset)
            return self.ready_text.encode() in handle.read()

    def wait_ready(self, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        while not self.ready():
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited with {self.process.returncode}:\n{self.tail()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name} did not get ready:\n{self.tail()}")
            time.sleep(0.05)

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.kills += 1

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def tail(self, size: int = 3000) -> str:
        return self.log.read_bytes()[-size:].decode(errors="replace") if self.log.exists() else ""


# --- the senders -------------------------------------------------------------------------------

@dataclass
class SmtpSender:
    port: int
    mails: list[tuple[str, bytes]]
    sent: int = 0
    retries: int = 0
    # Retries after the connection broke mid-conversation: the mail may have been stored.
    uncertain: int = 0
    errors: list[str] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        client: smtplib.SMTP | None = None
        try:
            for message_id, raw in self.mails:
                while True:
                    try:
                        if client is None:
                            client = smtplib.SMTP("127.0.0.1", self.port, timeout=60)
                        n = message_id.split("-")[2].split("@")[0]
                        client.sendmail(f"kunde{n}.smtp@customers.example", ["smtp@crash.example"], raw)
                        self.sent += 1
                        break
                    except (OSError, smtplib.SMTPException) as exc:
                        # Refused, cut off mid-conversation, or 451: like a mail server, try again
                        # later. The listener may have stored the mail before it died; then the
                        # second delivery must not store it again.
                        self.retries += 1
                        if not isinstance(exc, ConnectionRefusedError):
                            self.uncertain += 1
                        if len(self.errors) < 20:
                            self.errors.append(f"{type(exc).__name__}: {exc}")
                        if client is not None:
                            try:
                                client.close()
                            except Exception:
                                pass
                        client = None
                        time.sleep(0.1)
        finally:
            if client is not None:
                try:
                    client.quit()
                except Exception:
                    pass
            self.done.set()


def deliver_over_imap(dovecot: Dovecot, mails: list[tuple[str, bytes]], done: threading.Event,
                      chunk: int = 100) -> None:
    try:
        for start in range(0, len(mails), chunk):
            dovecot.deliver(raw for _mid, raw in mails[start:start + chunk])
            time.sleep(0.3)
    finally:
        done.set()


# --- the test ----------------------------------------------------------------------------------

def test_no_mail_is_lost_or_doubled_when_the_receivers_are_killed(dovecot, tmp_path):
    rng = random.Random(SEED)
    started = time.monotonic()
    imap_mails = [crash_mail(n, "imap") for n in range(MAILS // 2)]
    smtp_mails = [crash_mail(n, "smtp") for n in range(MAILS - MAILS // 2)]
    expected = {mid for mid, _raw in imap_mails + smtp_mails}
    smtp_port = free_port()

    with crash_database(tmp_path) as db:
        env = {
            **os.environ, "DATABASE_URL": db.url, "ANLIEGEN_DATA_DIR": str(tmp_path / "data"),
            "ANLIEGEN_ATTACHMENT_DIR": str(tmp_path / "attachments"), "ANLIEGEN_LOG_LEVEL": "WARNING",
            "CRASH_IMAP_PORT": str(dovecot.port), "DJANGO_SETTINGS_MODULE": "anliegen.settings",
            "PYTHONUNBUFFERED": "1",
        }
        setup = subprocess.run([sys.executable, "-c", SETUP], env=env, capture_output=True, text=True, timeout=300)
        assert setup.returncode == 0 and "ready" in setup.stdout, setup.stderr[-3000:]

        poller = Supervised("poll-mail", [ANLIEGEN, "poll-mail", "--interval", "0.2"], env, tmp_path,
                            "Polling the enabled IMAP mailboxes")
        listener = Supervised("smtpd", [ANLIEGEN, "smtpd", "--host", "127.0.0.1", "--port", str(smtp_port)],
                              env, tmp_path, "Listening for SMTP")
        processes = [poller, listener]
        # Two sending servers at once, like real mail traffic.
        senders = [SmtpSender(smtp_port, smtp_mails[0::2]), SmtpSender(smtp_port, smtp_mails[1::2])]
        imap_done = threading.Event()
        try:
            for process in processes:
                process.start()
            for process in processes:
                process.wait_ready()
            threads = [*(threading.Thread(target=s.run, daemon=True) for s in senders),
                       threading.Thread(target=deliver_over_imap, args=(dovecot, imap_mails, imap_done), daemon=True)]
            for thread in threads:
                thread.start()

            # Kill at random moments while mail flows: each victim only once it is up and working.
            kill_log = []
            while sum(p.kills for p in processes) < KILLS and not (all(s.done.is_set() for s in senders) and imap_done.is_set()
                                                                   and _stored(db) >= len(expected)):
                victim = rng.choice(processes)
                victim.wait_ready()
                time.sleep(rng.uniform(0.2, 2.5))
                stored_before = _stored(db)
                victim.kill()
                kill_log.append((victim.name, round(time.monotonic() - started, 1), stored_before))
                victim.start()
                assert time.monotonic() - started < DEADLINE, "the crash test ran out of time"

            # Let the survivors finish the work.
            while not (all(s.done.is_set() for s in senders) and imap_done.is_set() and _stored(db) >= len(expected)
                       and _all_seen(dovecot)):
                for process in processes:
                    assert process.process is not None
                    if process.process.poll() is not None:
                        raise AssertionError(f"{process.name} died by itself:\n{process.tail()}")
                assert time.monotonic() - started < DEADLINE, (
                    f"not finished: {_stored(db)} of {len(expected)} stored\n{poller.tail()}\n{listener.tail()}")
                time.sleep(0.5)
        finally:
            for process in processes:
                process.stop()

        rows = db.query("SELECT message_id, COUNT(*) FROM tickets_message WHERE kind = 'inbound' "
                        "GROUP BY message_id")
        counts = dict(rows)
        inbound = db.query("SELECT COUNT(*), COUNT(DISTINCT message_id) FROM mail_inboundmail")[0]
        quarantined = db.query("SELECT COUNT(*) FROM mail_quarantine")[0][0]
        by_source = dict(db.query("SELECT source, COUNT(*) FROM mail_inboundmail GROUP BY source"))

    missing = sorted(expected - set(counts))
    doubled = {mid: n for mid, n in counts.items() if n != 1}
    imap_refetched = _count_in_log(poller, " duplicates")
    elapsed = time.monotonic() - started
    report = {
        "mails": len(expected), "seed": SEED, "kills": {p.name: p.kills for p in processes},
        "kill_log": kill_log, "stored_messages": sum(counts.values()), "missing": len(missing),
        "doubled": len(doubled), "inbound_rows": inbound[0], "quarantined": quarantined, "by_source": by_source,
        "smtp_retries": sum(s.retries for s in senders),
        "smtp_cut_off": sum(s.uncertain for s in senders), "imap_refetched_duplicates": imap_refetched,
        "seconds": round(elapsed, 1), "database": db.url.split(":", 1)[0],
    }
    print("\nCRASH TEST " + json.dumps(report))

    assert sum(p.kills for p in processes) >= min(KILLS, 2), report
    assert missing == [], f"lost {len(missing)} mails, e.g. {missing[:5]}"
    assert doubled == {}, f"stored twice: {list(doubled.items())[:5]}"
    assert inbound == (len(expected), len(expected)) and quarantined == 0
    assert by_source == {"imap": len(imap_mails), "smtp": len(smtp_mails)}


def _stored(db: CrashDatabase) -> int:
    try:
        return int(db.query("SELECT COUNT(*) FROM mail_inboundmail")[0][0])
    except Exception:  # a locked SQLite file during a write: ask again next time
        return -1


def _all_seen(dovecot: Dovecot) -> bool:
    return all("\\Seen" in flags for _uid, flags, _mid in dovecot.messages())


def _count_in_log(process: Supervised, marker: str) -> int:
    """Sum the "N duplicates" figures the poller printed (mails fetched again after a kill)."""
    total = 0
    for line in process.tail(10_000_000).splitlines():
        if marker in line:
            for part in line.split(","):
                part = part.strip()
                if part.endswith("duplicates") and part.split()[0].isdigit():
                    total += int(part.split()[0])
    return total
