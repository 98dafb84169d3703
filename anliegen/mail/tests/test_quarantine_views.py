"""The quarantine pages: admins only; list, detail, raw download, replay after a fix, resolve."""

import pytest
from django.urls import reverse

from anliegen.accounts.models import Role
from anliegen.mail import ingest
from anliegen.mail.ingest import ingest_mail
from anliegen.mail.models import InboundMail, Outcome, Quarantine
from anliegen.mail.parse import MailParseError
from anliegen.mail.tests.rawmail import make_raw
from anliegen.testing import PASSWORD, make_agent
from anliegen.tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(world):
    return make_agent("adam", role=Role.ADMIN)


@pytest.fixture
def broken_parser(monkeypatch):
    def fail(raw):
        raise MailParseError("charset from outer space")

    monkeypatch.setattr(ingest, "parse_mail", fail)
    return monkeypatch


@pytest.fixture
def entry(world, broken_parser):
    raw = make_raw(subject="Kaputte Mail", text="Inhalt der kaputten Mail")
    result = ingest_mail(raw, source="imap")
    broken_parser.undo()  # "the fix": the parser works again
    return result.quarantine


def _login(client, username):
    assert client.login(username=username, password=PASSWORD)


@pytest.mark.parametrize("name", ["quarantine_detail", "quarantine_raw"])
def test_it_hides_the_quarantine_from_agents_and_leads(client, world, entry, name):
    for username in ("anna", "lena"):
        _login(client, username)
        assert client.get(reverse("mail:quarantine")).status_code == 403
        assert client.get(reverse(f"mail:{name}", args=[entry.pk])).status_code == 403
        assert client.post(reverse("mail:quarantine_replay", args=[entry.pk])).status_code == 403
        assert client.post(reverse("mail:quarantine_resolve", args=[entry.pk])).status_code == 403
    entry.refresh_from_db()
    assert entry.resolved_at is None and entry.replay_count == 0


def test_it_sends_anonymous_visitors_to_the_login(client, entry):
    response = client.get(reverse("mail:quarantine"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_lists_open_entries(client, admin, entry):
    _login(client, "adam")
    response = client.get(reverse("mail:quarantine"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "charset from outer space" in body and "Kaputte Mail" in body
    assert "Kaputte Mail" not in client.get(reverse("mail:quarantine") + "?state=resolved").content.decode()


def test_it_shows_an_entry_with_its_raw_mail(client, admin, entry):
    _login(client, "adam")
    response = client.get(reverse("mail:quarantine_detail", args=[entry.pk]))
    assert response.status_code == 200
    assert "Inhalt der kaputten Mail" in response.content.decode()


def test_it_downloads_the_raw_mail(client, admin, entry):
    _login(client, "adam")
    response = client.get(reverse("mail:quarantine_raw", args=[entry.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "message/rfc822"
    assert "attachment" in response["Content-Disposition"]
    assert b"Subject: Kaputte Mail" in response.content
    import hashlib
    assert hashlib.sha256(response.content).hexdigest() == entry.raw_sha256


def test_it_replays_an_entry_after_a_fix(client, admin, entry):
    _login(client, "adam")
    response = client.post(reverse("mail:quarantine_replay", args=[entry.pk]), follow=True)
    assert response.status_code == 200
    entry.refresh_from_db()
    assert entry.resolved_at is not None and entry.resolved_by == admin and entry.replay_count == 1
    inbound = entry.replayed_inbound
    assert inbound.source == "replay" and inbound.outcome == Outcome.CREATED
    assert inbound.ticket.subject == "Kaputte Mail"
    assert inbound.ticket.number in response.content.decode()


def test_it_keeps_an_entry_open_when_the_replay_fails_again(client, admin, entry, broken_parser):
    broken_parser.setattr(ingest, "parse_mail", lambda raw: (_ for _ in ()).throw(MailParseError("still broken")))
    _login(client, "adam")
    tickets = Ticket.objects.count()
    response = client.post(reverse("mail:quarantine_replay", args=[entry.pk]), follow=True)
    assert response.status_code == 200 and "still broken" in response.content.decode()
    entry.refresh_from_db()
    assert entry.resolved_at is None and entry.replay_count == 1 and "still broken" in entry.reason
    assert Quarantine.objects.count() == 1 and Ticket.objects.count() == tickets


def test_it_resolves_an_entry_and_keeps_the_raw_mail(client, admin, entry):
    _login(client, "adam")
    response = client.post(reverse("mail:quarantine_resolve", args=[entry.pk]), follow=True)
    assert response.status_code == 200
    entry.refresh_from_db()
    assert entry.resolved_at is not None and entry.resolved_by == admin and entry.replayed_inbound is None
    assert client.get(reverse("mail:quarantine_raw", args=[entry.pk])).status_code == 200
    # a resolved entry is not replayed again
    client.post(reverse("mail:quarantine_replay", args=[entry.pk]))
    assert not InboundMail.objects.exists()


def test_it_refuses_get_on_replay(client, admin, entry):
    _login(client, "adam")
    assert client.get(reverse("mail:quarantine_replay", args=[entry.pk])).status_code == 405


def test_it_answers_404_for_an_unknown_entry(client, admin):
    _login(client, "adam")
    assert client.get(reverse("mail:quarantine_detail", args=[99999])).status_code == 404
    assert client.post(reverse("mail:quarantine_replay", args=[99999])).status_code == 404


def test_it_lists_with_a_fixed_number_of_queries(client, admin, world, django_assert_max_num_queries):
    for n in range(5):
        ingest_mail(f"garbage {n}".encode(), source="smtp")
    _login(client, "adam")
    with django_assert_max_num_queries(8):
        response = client.get(reverse("mail:quarantine"))
    assert response.status_code == 200 and response.content.decode().count("Unreadable mail") == 5
