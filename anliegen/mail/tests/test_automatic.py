"""Automatic mail (out of office, autoresponders, bulk): it never opens a case in a queue. It
joins the case it answers without reopening it, counting as a contact or being acknowledged,
or it is set aside in the list of automatic mail, which admins read."""

import pytest
from django.urls import reverse

from anliegen.accounts.models import Role
from anliegen.customers.models import Customer
from anliegen.mail import automatic
from anliegen.mail.ingest import ingest_mail
from anliegen.mail.models import InboundMail, Mailbox, Outbox, Outcome
from anliegen.mail.parse import parse_mail
from anliegen.mail.tests.rawmail import make_raw
from anliegen.routing.models import ContactLink
from anliegen.testing import PASSWORD, make_agent
from anliegen.tickets.actions import set_status
from anliegen.tickets.models import Status, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def box(world):
    return Mailbox.objects.create(name="Service", team=world.support, address="service@anliegen.example",
                                  send_acknowledgement=True)


@pytest.mark.parametrize("headers,subject", [
    ({"Auto-Submitted": "auto-replied"}, "Ihre Anfrage"),
    ({"X-Autoreply": "yes"}, "Ihre Anfrage"),
    ({"X-Autorespond": "yes"}, "Ihre Anfrage"),
    ({"Precedence": "junk"}, "Ihre Anfrage"),
    ({}, "Abwesenheitsnotiz: Ihre Anfrage"),
    ({}, "Automatisk svar: Jeres henvendelse"),
    ({}, "Fraværende: Jeres henvendelse"),
    ({}, "Out of Office: Your request"),
    ({}, "Automatic reply: Your request"),
])
def test_it_sets_automatic_mail_aside_instead_of_opening_a_case(world, box, headers, subject):
    cases = Ticket.objects.count()
    result = ingest_mail(make_raw(sender="Lars Holm <lars@firma.example>", subject=subject, headers=headers),
                         source="imap", mailbox=box)

    assert result.outcome == Outcome.AUTOMATIC and result.ticket is None and not result.acknowledge
    assert Ticket.objects.count() == cases
    assert not Outbox.objects.exists()  # never acknowledged
    inbound = InboundMail.objects.get(pk=result.inbound.pk)
    assert inbound.outcome == Outcome.AUTOMATIC and inbound.is_auto_reply and inbound.note
    # A robot's address does not become a customer.
    assert not Customer.objects.filter(emails__address="lars@firma.example").exists()


@pytest.mark.parametrize("subject", [
    "Urlaub storniert, bitte Geld zurück", "Out of office hours the hotline is closed",
    "Fravær af levering", "Vacation rental invoice", "Re: Absence of refund",
])
def test_it_opens_a_case_for_a_person_whose_subject_only_sounds_automatic(world, box, subject):
    result = ingest_mail(make_raw(subject=subject), source="imap", mailbox=box)
    assert result.outcome == Outcome.CREATED and result.ticket is not None


def test_it_joins_the_case_an_out_of_office_note_answers_quietly(world, box):
    first = ingest_mail(make_raw(subject="Rechnung falsch"), source="imap", mailbox=box)
    set_status(ticket=first.ticket, status=Status.SOLVED, actor=world.agent)
    acknowledgements = Outbox.objects.count()
    contacts = ContactLink.objects.filter(ticket=first.ticket).count()
    auto = make_raw(subject="Automatische Antwort: Re: Rechnung falsch", in_reply_to=first.inbound.message_id,
                    text="Ich bin bis Montag nicht im Büro.")
    result = ingest_mail(auto, source="imap", mailbox=box)

    assert result.outcome == Outcome.APPENDED and result.ticket == first.ticket and not result.acknowledge
    first.ticket.refresh_from_db()
    assert first.ticket.status == Status.SOLVED  # not reopened
    assert Outbox.objects.count() == acknowledgements
    assert ContactLink.objects.filter(ticket=first.ticket).count() == contacts  # no repeat contact
    assert first.ticket.messages.order_by("-id").first().meta["auto_reply"] is True


def test_it_decides_in_one_function(world):
    person = parse_mail(make_raw(subject="Frage"))
    robot = parse_mail(make_raw(subject="Frage", headers={"Auto-Submitted": "auto-generated"}))
    assert robot.is_auto_reply and robot.automatic_reason == "Auto-Submitted: auto-generated"
    assert automatic.route(person, None) == automatic.Route.NORMAL
    assert automatic.route(robot, None) == automatic.Route.SET_ASIDE


# --- the list of automatic mail -----------------------------------------------------------

@pytest.fixture
def admin(world):
    return make_agent("adam", role=Role.ADMIN)


def test_it_lists_automatic_mail_for_admins(client, world, box, admin):
    aside = ingest_mail(make_raw(sender="lars@firma.example", subject="Autosvar: Faktura",
                                 text="Jeg er på ferie indtil mandag."), source="imap", mailbox=box)
    person = ingest_mail(make_raw(subject="Ein Mensch schreibt"), source="imap", mailbox=box)
    assert client.login(username="adam", password=PASSWORD)

    page = client.get(reverse("mail:automatic")).content.decode()
    assert "Autosvar: Faktura" in page and "lars@firma.example" in page and "Subject" in page
    assert "Ein Mensch schreibt" not in page
    detail = client.get(reverse("mail:inbound_detail", args=[aside.inbound.pk]))
    assert detail.status_code == 200 and "Jeg er på ferie indtil mandag." in detail.content.decode()
    raw = client.get(reverse("mail:inbound_raw", args=[aside.inbound.pk]))
    assert raw.status_code == 200 and b"Autosvar: Faktura" in raw.content
    # A mail that opened a case is not on either list.
    assert client.get(reverse("mail:inbound_detail", args=[person.inbound.pk])).status_code == 404


def test_it_hides_the_list_of_automatic_mail_from_agents_and_leads(client, world, box):
    aside = ingest_mail(make_raw(subject="Out of office", headers={"Auto-Submitted": "auto-replied"}),
                        source="imap", mailbox=box)
    for persona in ("agent", "lead"):
        client.logout()
        assert client.login(username=getattr(world, persona).username, password=PASSWORD)
        assert client.get(reverse("mail:automatic")).status_code == 403  # role_required("admin")
        assert client.get(reverse("mail:inbound_detail", args=[aside.inbound.pk])).status_code == 403
        assert client.get(reverse("mail:inbound_raw", args=[aside.inbound.pk])).status_code == 403
