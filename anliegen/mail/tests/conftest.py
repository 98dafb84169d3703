"""Fixtures for the mail transports: a real Dovecot, an SMTP capture server, our listener."""

from collections.abc import Iterator

import pytest

from anliegen.mail.testing_servers import CaptureServer, Dovecot, free_port


@pytest.fixture(scope="session")
def dovecot_server() -> Iterator[Dovecot]:
    server = Dovecot(users={"service": "secret", "sales": "secret2"})
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def dovecot(dovecot_server: Dovecot) -> Iterator[Dovecot]:
    """A private Dovecot IMAP server on a free loopback port, empty for each test: users
    "service" (password "secret") and "sales" ("secret2")."""
    dovecot_server.reset()
    yield dovecot_server
    dovecot_server.reset()


@pytest.fixture
def capture_smtp() -> Iterator[CaptureServer]:
    """An SMTP server on a loopback port that keeps what it receives."""
    with CaptureServer() as server:
        yield server


@pytest.fixture
def smtp_to_capture(settings, capture_smtp: CaptureServer) -> CaptureServer:
    """Anliegen's default mailer sends over SMTP to the capture server."""
    settings.MAILERS = {"default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": capture_smtp.host, "port": capture_smtp.port, "timeout": 10},
    }}
    return capture_smtp


@pytest.fixture
def listener_port() -> int:
    return free_port()
