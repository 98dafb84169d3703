"""Real mail servers for tests, on loopback ports only.

- ``Dovecot``: a private Dovecot IMAP server started from Debian's package (/usr/sbin/dovecot)
  in a temporary folder, with its own users file and maildirs. Mails are put into it with
  IMAP APPEND, the way a mail server delivers them.
- ``CaptureServer``: an aiosmtpd SMTP server that keeps every message it receives, so a
  test can read what Anliegen sent.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import signal
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

DOVECOT = os.environ.get("ANLIEGEN_DOVECOT", "/usr/sbin/dovecot")
DOVEADM = os.environ.get("ANLIEGEN_DOVEADM", "/usr/bin/doveadm")


class ServerUnavailable(RuntimeError):
    """The server could not be started on this machine (not installed, no permission)."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _running(pid: int) -> bool:
    """Whether a process runs (a zombie left for init to reap does not count)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise ServerUnavailable(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f} s")


_CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
mail_fsync = never
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
auth_failure_delay = 0
first_valid_uid = {first_uid}
first_valid_gid = 0
"""


@dataclass
class Dovecot:
    """A private Dovecot IMAP server. Use as a context manager or call start()/stop()."""

    users: dict[str, str] = field(default_factory=lambda: {"service": "secret"})
    host: str = "127.0.0.1"
    port: int = 0
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="anliegen-dovecot-")))

    @property
    def config(self) -> Path:
        return self.root / "dovecot.conf"

    def start(self) -> Dovecot:
        if not (os.path.exists(DOVECOT) and os.path.exists(DOVEADM)):
            raise ServerUnavailable(f"Dovecot is not installed ({DOVECOT}); apt-get install dovecot-imapd")
        self.port = self.port or free_port()
        if os.geteuid() == 0:
            # Dovecot will not open mailboxes as root: they belong to its unprivileged user.
            owner = pwd.getpwnam("dovenull")
            uid, gid, first_uid = owner.pw_uid, owner.pw_gid, min(100, owner.pw_uid)
        else:
            uid, gid, first_uid = os.getuid(), os.getgid(), min(100, os.getuid())
        self.root.chmod(0o755)
        for sub in ("run", "state", "mail"):
            (self.root / sub).mkdir(exist_ok=True)
        if os.geteuid() == 0:
            os.chown(self.root / "mail", uid, gid)
        (self.root / "users").write_text("".join(f"{u}:{{PLAIN}}{p}\n" for u, p in self.users.items()))
        self.config.write_text(_CONFIG.format(root=self.root, port=self.port, uid=uid, gid=gid,
                                              first_uid=first_uid))
        # The daemon keeps inherited pipes open, so its output goes to a file, not a pipe.
        errors = self.root / "start.err"
        with errors.open("wb") as err:
            result = subprocess.run([DOVECOT, "-c", str(self.config)], stdin=subprocess.DEVNULL,
                                    stdout=err, stderr=err)
        if result.returncode != 0:
            raise ServerUnavailable(f"Dovecot did not start: {errors.read_text(errors='replace').strip()}")
        try:
            wait_for_port(self.port)
        except ServerUnavailable:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        pid_file = self.root / "run" / "master.pid"
        if pid_file.exists():
            # SIGTERM to the master: it takes its children down with it (faster than
            # `doveadm stop`, which waits for its own polling interval).
            with contextlib.suppress(ValueError, OSError):
                pid = int(pid_file.read_text().strip())
                os.kill(pid, signal.SIGTERM)
                deadline = time.monotonic() + 10
                while _running(pid) and time.monotonic() < deadline:
                    time.sleep(0.02)
        shutil.rmtree(self.root, ignore_errors=True)

    def reset(self) -> None:
        """Remove every mail of every user (between tests; no session may be open)."""
        mail = self.root / "mail"
        for child in mail.iterdir():
            shutil.rmtree(child, ignore_errors=True)

    def __enter__(self) -> Dovecot:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # --- helpers for tests -----------------------------------------------------------------

    def connect(self, user: str = "service", folder: str = "INBOX") -> Any:
        from imap_tools import MailBoxUnencrypted

        password = self.users[user]
        return MailBoxUnencrypted(self.host, self.port).login(user, password, initial_folder=folder)

    def deliver(self, mails: Iterable[bytes], user: str = "service", folder: str = "INBOX") -> int:
        """Put raw mails into a folder with IMAP APPEND (unseen); return how many."""
        count = 0
        with self.connect(user) as box:
            if not box.folder.exists(folder):
                box.folder.create(folder)
            for raw in mails:
                box.append(raw, folder, flag_set=())
                count += 1
        return count

    def messages(self, user: str = "service", folder: str = "INBOX") -> list[tuple[str, tuple[str, ...], str]]:
        """(uid, flags, Message-ID) of every mail in a folder, without marking anything seen."""
        with self.connect(user) as box:
            if not box.folder.exists(folder):
                return []
            box.folder.set(folder)
            return [(m.uid or "", m.flags, (m.headers.get("message-id") or ("",))[0].strip())
                    for m in box.fetch(mark_seen=False, headers_only=True, bulk=200)]


@dataclass
class CapturedMail:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


class _CaptureHandler:
    def __init__(self, server: CaptureServer) -> None:
        self.server = server

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.server.fail_with:
            return self.server.fail_with
        raw = envelope.original_content or envelope.content
        with self.server.lock:
            self.server.mails.append(CapturedMail(envelope.mail_from, list(envelope.rcpt_tos), bytes(raw)))
        return "250 Message accepted"


class CaptureServer:
    """An SMTP server on a loopback port that keeps what it receives (for outbound tests).

    Set ``fail_with`` to an SMTP reply such as "451 try later" to make it refuse mail."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port or free_port()
        self.mails: list[CapturedMail] = []
        self.lock = threading.Lock()
        self.fail_with = ""
        self._controller: Any = None

    def start(self) -> CaptureServer:
        from aiosmtpd.controller import Controller

        self._controller = Controller(_CaptureHandler(self), hostname=self.host, port=self.port,
                                      decode_data=False)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> CaptureServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[CapturedMail]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.mails) >= count:
                    return list(self.mails)
            time.sleep(0.02)
        with self.lock:
            return list(self.mails)
