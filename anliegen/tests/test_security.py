"""Regression probes for the security review (issue 11): each test is one attack that once
worked and must keep failing. The schema fuzzing of the API is in test_api_fuzz.py."""

import asyncio
import concurrent.futures
import datetime
import re
import runpy
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import uvicorn
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

import anliegen
from anliegen.accounts.models import Role
from anliegen.lib.clientip import client_address
from anliegen.mail.ingest import ingest_mail
from anliegen.mail.tests.rawmail import make_raw
from anliegen.portal.actions import issue_sign_in_link
from anliegen.portal.models import Attempt, SignInLink
from anliegen.portal.tests.conftest import sign_in
from anliegen.portal.tokens import sha256
from anliegen.testing import PASSWORD, make_agent, make_ticket
from anliegen.tickets import actions
from anliegen.tickets.models import Message
from anliegen.runtime.management.commands.serve import server_options
from anliegen.tickets.storage import AttachmentRejected, IncomingFile, check_file


# --- 1. merging across customers -------------------------------------------------------------


def test_it_keeps_a_customers_mail_out_of_another_customers_portal_when_merging(world):
    erikas = make_ticket(
        team=world.support, customer=world.customer, subject="Vertrag", text="Meine IBAN ist DE89 3704",
        attachments=[IncomingFile("vertrag.pdf", "application/pdf", b"%PDF Erikas Vertrag")],
    )
    attachment = Message.objects.get(ticket=erikas).attachments.get()
    jens_case = make_ticket(team=world.support, customer=world.other_customer, subject="Router")
    with pytest.raises(actions.ActionError):
        actions.merge_tickets(source=erikas, target=jens_case, actor=world.agent)  # a mistyped number

    jens = sign_in(Client(), world.other_customer)
    page = jens.get(reverse("portal:case", args=[jens_case.number]))
    assert page.status_code == 200
    assert "DE89" not in page.text and "vertrag.pdf" not in page.text
    assert jens.get(reverse("portal:attachment", args=[attachment.pk])).status_code == 404
    erika = sign_in(Client(), world.customer)
    own = erika.get(reverse("portal:case", args=[erikas.number]))
    assert "DE89" in own.text and "vertrag.pdf" in own.text
    assert erika.get(reverse("portal:attachment", args=[attachment.pk])).status_code == 200
    assert Message.objects.filter(ticket=erikas).count() == 1


def _run(coroutine: Any) -> Any:
    """Run an ASGI call to its end in a thread of its own: a browser test earlier in the same
    process leaves an event loop running in this thread, and asyncio.run refuses to nest."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


# --- 2. forwarded headers ----------------------------------------------------------------------


def _client_seen_by_the_app(peer: str, forwarded_for: str) -> tuple[str, str]:
    """Send one request from `peer` through the server configuration `anliegen serve` runs
    with; return the client address and scheme the application is given."""
    seen: dict[str, Any] = {}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.update(client=scope["client"][0], scheme=scope["scheme"])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    config = uvicorn.Config(**server_options(host="127.0.0.1", port=8000, app=app))
    config.load()
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": "/", "raw_path": b"/", "query_string": b"", "root_path": "",
        "client": (peer, 40000), "server": ("127.0.0.1", 8000),
        "headers": [(b"x-forwarded-for", forwarded_for.encode()), (b"x-forwarded-proto", b"https")],
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        pass

    _run(config.loaded_app(scope, receive, send))
    return seen["client"], seen["scheme"]


def test_it_ignores_forwarded_headers_when_no_proxy_is_configured(settings):
    settings.TRUSTED_PROXIES = []
    assert _client_seen_by_the_app("127.0.0.1", "203.0.113.9") == ("127.0.0.1", "http")
    assert _client_seen_by_the_app("10.0.0.2", "203.0.113.9") == ("10.0.0.2", "http")


def test_it_reads_forwarded_headers_from_the_configured_proxies_only(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert _client_seen_by_the_app("10.0.0.2", "198.51.100.7") == ("198.51.100.7", "https")
    assert _client_seen_by_the_app("10.0.0.2", "spoofed, 198.51.100.7, 10.0.0.3") == ("198.51.100.7", "https")
    assert _client_seen_by_the_app("127.0.0.1", "198.51.100.7") == ("127.0.0.1", "http")


def _address(settings: Any, remote: str, forwarded: str) -> str:
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    return client_address(request)


def test_it_resolves_the_client_address_from_a_header_only_behind_a_trusted_proxy(settings):
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    settings.TRUSTED_PROXIES = ["10.0.0.1", "fd00::/8"]
    assert _address(settings, "10.0.0.1", "198.51.100.1") == "198.51.100.1"
    assert _address(settings, "fd00::5", "evil, 198.51.100.2, 10.0.0.1") == "198.51.100.2"
    assert _address(settings, "127.0.0.1", "198.51.100.3") == "127.0.0.1"
    assert _address(settings, "192.0.2.4", "198.51.100.3") == "192.0.2.4"
    assert _address(settings, "10.0.0.1", "") == "10.0.0.1"


def test_it_refuses_a_client_ip_header_without_trusted_proxies(monkeypatch):
    monkeypatch.setenv("ANLIEGEN_CLIENT_IP_HEADER", "X-Forwarded-For")
    monkeypatch.delenv("ANLIEGEN_TRUSTED_PROXIES", raising=False)
    with pytest.raises(ImproperlyConfigured, match="ANLIEGEN_TRUSTED_PROXIES"):
        runpy.run_path(str(Path(anliegen.__file__).parent / "settings.py"))
    monkeypatch.setenv("ANLIEGEN_TRUSTED_PROXIES", "10.0.0.1, proxy.example")
    with pytest.raises(ImproperlyConfigured, match="proxy.example"):
        runpy.run_path(str(Path(anliegen.__file__).parent / "settings.py"))


def test_it_keeps_the_sign_in_link_limit_whatever_x_forwarded_for_says(client, world, settings):
    settings.PORTAL_LINKS_PER_HOUR = 1  # four per address of the sender
    for i in range(4):
        response = client.post(reverse("portal:login"), {"email": f"a{i}@example.org"},
                               REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
        assert response.status_code == 302
    response = client.post(reverse("portal:login"), {"email": "b@example.org"},
                           REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert response.status_code == 429
    assert Attempt.objects.filter(kind="link-ip").count() == 4


# --- 8. attachment names and downloads ---------------------------------------------------------


@pytest.mark.parametrize("name", [
    "evil.exe", "evil.exe.", "evil.exe ", "evil.exe. . ", "EVIL.EXE", "rechnung.pdf.exe",
    "evil.hta", "verknüpfung.lnk", "evil.exe::$DATA", "C:\\temp\\evil.exe", "evil.\u202eexe",
    "evil.ｅｘｅ", "evil.js", "evil.vbs", "evil.ps1", "evil.scr", "evil.pif", "evil.cpl", "evil.msi",
    "evil.jar", "evil.wsf", "evil.reg", "evil.url", "evil.chm", "evil.com", "evil.bat", "evil.cmd",
])
def test_it_refuses_dangerous_attachment_names_however_they_are_written(name):
    with pytest.raises(AttachmentRejected):
        check_file(name, 10)


@pytest.mark.parametrize("name", ["rechnung.pdf", "foto.jpeg", "exe", "notes.txt", "evil.exe.txt", "a.b.c.docx"])
def test_it_accepts_ordinary_attachment_names(name):
    check_file(name, 10)


def test_it_refuses_a_trailing_dot_executable_from_the_web_form(client, world):
    from anliegen.portal.tests.test_webform import URL, fill, new_tickets

    upload = SimpleUploadedFile("evil.exe.", b"MZ\x90\x00", content_type="application/octet-stream")
    response = client.post(URL, {**fill(), "attachments": [upload]})
    assert response.status_code == 400
    assert "are not accepted" in response.text
    assert not new_tickets(world).exists()


DOWNLOAD_NAME = re.compile(r"attachment|raw|download|export|csv|file")


def _download_urls(world: Any) -> dict[str, tuple[str, str]]:
    """Every route that hands out a file: route name -> (URL, who asks: staff user or "customer")."""
    reply = actions.add_reply(
        ticket=world.ticket, author=world.agent, text="Anbei",
        attachments=[IncomingFile("bild.png", "image/png", b"\x89PNG\r\n\x1a\n<html>"),
                     IncomingFile("seite.html", "text/html", b"<script>alert(1)</script>")],
    )
    image, page = reply.attachments.order_by("id")
    inbound = ingest_mail(make_raw(sender="erika@example.org", subject="Abwesenheitsnotiz",
                                   headers={"Auto-Submitted": "auto-replied"}), source="imap")
    quarantined = ingest_mail(b"\x00" * 10, source="imap").quarantine
    return {
        "tickets:attachment": (reverse("tickets:attachment", args=[image.pk]), "anna"),
        "tickets:attachment#html": (reverse("tickets:attachment", args=[page.pk]), "anna"),
        "portal:attachment": (reverse("portal:attachment", args=[page.pk]), "customer"),
        "mail:inbound_raw": (reverse("mail:inbound_raw", args=[inbound.inbound.pk]), "admin"),
        "mail:quarantine_raw": (reverse("mail:quarantine_raw", args=[quarantined.pk]), "admin"),
        "routing:review#csv": (reverse("routing:review") + "?format=csv", "lena"),
    }


def test_it_serves_every_download_as_an_attachment_with_nosniff(world):
    from anliegen.tests.test_permission_matrix import all_routes

    make_agent("admin", role=Role.ADMIN)
    urls = _download_urls(world)
    named = {route.name for route in all_routes() if DOWNLOAD_NAME.search(route.name)}
    assert named <= {name.split("#")[0] for name in urls}, "a download route this test does not walk"
    for name, (url, who) in urls.items():
        client = Client()
        if who == "customer":
            sign_in(client, world.customer)
        else:
            assert client.login(username=who, password=PASSWORD)
        response = client.get(url)
        assert response.status_code == 200, name
        assert response["Content-Disposition"].startswith("attachment"), name
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert not response["Content-Type"].startswith("text/html"), name


# --- 9. one sign-in link at a time -------------------------------------------------------------


def test_it_retires_a_customers_older_links_when_a_new_one_is_issued(client, world):
    first = issue_sign_in_link(customer=world.customer, email="erika@example.org")
    second = issue_sign_in_link(customer=world.customer, email="erika@example.org")
    jens = issue_sign_in_link(customer=world.other_customer, email="jens@example.dk")
    response = client.post(reverse("portal:enter", args=[first]))
    assert response.status_code == 410
    assert response.context["reason"] == "expired"
    assert client.post(reverse("portal:enter", args=[second])).status_code == 302
    assert SignInLink.objects.filter(customer=world.customer, used_at__isnull=False).count() == 1
    assert Client().post(reverse("portal:enter", args=[jens])).status_code == 302  # others' stay


def test_it_retires_a_customers_other_links_when_one_is_used(world):
    first = issue_sign_in_link(customer=world.customer, email="erika@example.org")
    SignInLink.objects.create(  # a second one issued at the same moment, e.g. by two requests
        customer=world.customer, token_hash=sha256("parallel"), email="erika@example.org",
        created_at=timezone.now(), expires_at=timezone.now() + datetime.timedelta(minutes=30),
    )
    assert Client().post(reverse("portal:enter", args=[first])).status_code == 302
    assert Client().post(reverse("portal:enter", args=["parallel"])).status_code == 410


# --- 6 (web form) and 7. unreadable and oversized anonymous posts --------------------------------


@pytest.mark.parametrize("charset", ["latin-1", "iso-8859-15", "nonsense", "utf-7"])
def test_it_answers_a_web_form_in_another_charset_with_a_clear_message(client, world, charset):
    from anliegen.portal.tests.test_webform import URL, fill, new_tickets

    body = urlencode({**fill(), "name": "Jörg Müller"}, encoding="latin-1")
    response = client.generic("POST", URL, body.encode("ascii"),
                              content_type=f"application/x-www-form-urlencoded; charset={charset}")
    assert response.status_code == 400
    assert "we read forms in UTF-8 only" in response.text
    assert not new_tickets(world).exists()
    assert Attempt.objects.filter(kind="webform-ip").count() == 1


def test_it_refuses_an_oversized_web_form_and_counts_the_try(client, world, settings):
    from anliegen.portal.tests.test_webform import URL, fill, new_tickets

    settings.WEBFORM_MAX_BYTES = 4096
    settings.WEBFORM_PER_HOUR = 2
    def big() -> SimpleUploadedFile:
        return SimpleUploadedFile("scan.pdf", b"%PDF" + b"x" * 8000, content_type="application/pdf")

    response = client.post(URL, {**fill(), "attachments": [big()]})
    assert response.status_code == 413
    assert "larger than 1 MB" in response.text
    assert client.post(URL, {**fill(), "attachments": [big()]}).status_code == 413
    assert Attempt.objects.filter(kind="webform-ip").count() == 2
    assert client.post(URL, fill()).status_code == 429  # the refused tries used up the hour
    assert not new_tickets(world).exists()


def _post_through_asgi(path: str, headers: list[tuple[bytes, bytes]], chunks: list[bytes]) -> tuple[int, int]:
    """POST through the application `anliegen serve` runs; (status, chunks the app read)."""
    from anliegen.asgi import application

    read = 0
    status: list[int] = []

    async def receive() -> dict[str, Any]:
        nonlocal read
        if read >= len(chunks):
            await asyncio.Event().wait()  # the client waits for the answer
        read += 1
        return {"type": "http.request", "body": chunks[read - 1], "more_body": read < len(chunks)}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "client": ("192.0.2.50", 5000), "server": ("testserver", 80),
        "headers": [(b"host", b"testserver"),
                    (b"content-type", b"multipart/form-data; boundary=xyz"), *headers],
    }
    _run(application(scope, receive, send))
    return status[0], read


@pytest.mark.django_db(transaction=True)
def test_it_never_reads_a_web_form_body_declared_too_large(settings):
    settings.WEBFORM_MAX_BYTES = 1024 * 1024
    status, read = _post_through_asgi(
        reverse("portal:webform"), [(b"content-length", b"104857600")], [b"x" * 65536] * 1600)
    assert status == 413
    assert read == 0
    assert Attempt.objects.filter(kind="webform-ip").count() == 1


@pytest.mark.django_db(transaction=True)
def test_it_stops_reading_an_undeclared_web_form_body_at_the_limit(settings):
    settings.WEBFORM_MAX_BYTES = 1024 * 1024
    status, read = _post_through_asgi(reverse("portal:webform"), [], [b"x" * 65536] * 1600)
    assert status == 413
    assert read == 17  # 16 chunks fill the megabyte, the 17th passes it
    assert Attempt.objects.filter(kind="webform-ip").count() == 1
    status, read = _post_through_asgi(reverse("portal:webform"), [], [b"--xyz--\r\n"])
    assert status == 400  # a small body is read and answered as an incomplete form
    assert read == 1


# --- 12. the OpenAPI document names every answer -------------------------------------------------


def test_it_documents_the_shared_error_answers_of_every_api_route(client, world):
    document = client.get("/api/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            answers = set(operation["responses"])
            label = f"{method.upper()} {path}"
            assert "401" in answers, label
            if "{" in path:
                assert "404" in answers, label
            if operation.get("parameters") or operation.get("requestBody"):
                assert {"400", "422"} <= answers, label
            if operation.get("requestBody"):
                assert {"403", "413"} <= answers, label
    answers = document["paths"]["/api/cases/{number}"]["patch"]["responses"]
    assert answers["422"]["content"]["application/json"]["schema"]["required"] == ["detail", "errors"]
    # and they are what the API answers
    assert client.get("/api/cases/A-100001").status_code == 401
