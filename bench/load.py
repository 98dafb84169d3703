"""Simulated agents over HTTP: each a thread with its own keep-alive connection and its own
logged-in session (form login with CSRF), clicking with a short think time.

Latency is measured at the client, from sending the request to having read the whole body:
what an agent waits for, including queueing in the server."""

from __future__ import annotations

import http.client
import random
import re
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field

THINK_SECONDS = (0.25, 0.75)  # a very busy agent: about two clicks a second
_CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


class Session:
    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies: dict[str, str] = {}
        self.headers: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes, http.client.HTTPResponse]:
        all_headers = {"Host": f"127.0.0.1:{self.port}", **self.headers, **(headers or {})}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=all_headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (
                http.client.RemoteDisconnected,
                ConnectionResetError,
                BrokenPipeError,
                http.client.CannotSendRequest,
            ):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                if attempt == 2:
                    raise
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        return response.status, data, response

    def login(self, path: str, username: str, password: str) -> None:
        status, page, _r = self.request("GET", path)
        match = _CSRF.search(page)
        if status != 200 or not match:
            raise RuntimeError(f"no login form at {path} ({status})")
        form = urllib.parse.urlencode(
            {
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": match.group(1).decode(),
            }
        ).encode()
        status, _body, _r = self.request(
            "POST",
            path,
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{self.port}{path}",
            },
        )
        if status not in (302, 303):
            raise RuntimeError(f"login of {username} failed ({status})")


@dataclass
class Samples:
    seconds: list[float] = field(default_factory=list)
    errors: dict[int, int] = field(default_factory=dict)
    sizes: list[int] = field(default_factory=list)
    # From the Server-Timing header (bench/peer_project/timing.py), in ms: app, cpu, db, queries.
    server: dict[str, list[float]] = field(default_factory=dict)

    def add_timing(self, header: str | None) -> None:
        for part in (header or "").split(","):
            name, _, value = part.strip().partition(";dur=")
            if value:
                self.server.setdefault(name, []).append(float(value))


def measure(
    sessions: list[Session],
    make_path: Callable[[int, random.Random], str],
    *,
    samples: int,
    warmup: int = 1,
    think: tuple[float, float] = THINK_SECONDS,
    seed: int = 0,
    deadline_seconds: float = 120.0,
) -> Samples:
    """All sessions request make_path(agent, rng) with think time until samples are taken
    (or the deadline passes: a slow peer must not stall the run)."""
    result = Samples()
    lock = threading.Lock()
    taken = [0]
    stop_at = time.monotonic() + deadline_seconds

    def agent(i: int, session: Session) -> None:
        rng = random.Random(seed * 1000 + i)
        for _ in range(warmup):
            session.request("GET", make_path(i, rng))
        time.sleep(rng.uniform(0, think[1]))
        while True:
            with lock:
                if taken[0] >= samples or time.monotonic() > stop_at:
                    return
                taken[0] += 1
            path = make_path(i, rng)
            t0 = time.perf_counter()
            status, body, response = session.request("GET", path)
            elapsed = time.perf_counter() - t0
            with lock:
                if status == 200:
                    result.seconds.append(elapsed)
                    result.sizes.append(len(body))
                    result.add_timing(response.getheader("Server-Timing"))
                else:
                    result.errors[status] = result.errors.get(status, 0) + 1
            time.sleep(rng.uniform(*think))

    threads = [
        threading.Thread(target=agent, args=(i, s), daemon=True) for i, s in enumerate(sessions)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return result


def login_all(
    port: int,
    path: str,
    users: list[str],
    password: str,
    headers: dict[str, str] | None = None,
    cookies: dict[str, dict[str, str]] | None = None,
) -> list[Session]:
    """Logged-in sessions for users; with cookies (username → cookies), a user logged in
    before keeps their session (logging in hashes the password: slow on purpose)."""
    cookies = {} if cookies is None else cookies
    sessions = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def one(username: str) -> None:
        try:
            s = Session(port)
            if username in cookies:
                s.cookies.update(cookies[username])
            else:
                s.login(path, username, password)
                cookies[username] = dict(s.cookies)
            s.headers.update(headers or {})
        except Exception as exc:  # noqa: BLE001 - reported after all threads are done
            with lock:
                failures.append(exc)
            return
        with lock:
            sessions.append((username, s))

    threads = [threading.Thread(target=one, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise RuntimeError(f"{len(failures)} logins failed: {failures[0]}")
    order = {u: i for i, u in enumerate(users)}
    return [s for _u, s in sorted(sessions, key=lambda pair: order[pair[0]])]
