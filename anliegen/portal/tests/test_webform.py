from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from anliegen.customers.models import Customer
from anliegen.mail.models import Outbox, OutboxKind
from anliegen.portal import views
from anliegen.tickets.models import Channel, Ticket

from anliegen.testing import run_worker

from .conftest import old_form_token

URL = "/portal/form/"


def fill(**fields):
    data = {
        "name": "Lars Møller",
        "email": "Lars@Example.dk",
        "subject": "Spørgsmål om tarif",
        "text": "Hej, hvad koster jeres tarif?",
        "consent": "on",
        "website": "",
        "form_token": old_form_token(),
    }
    data.update(fields)
    return data


def new_tickets(world):
    return Ticket.objects.exclude(
        pk__in=[world.ticket.pk, world.other_ticket.pk, world.confidential_ticket.pk]
    )


def test_it_is_reachable_by_name(world):
    assert reverse("portal:webform") == URL


def test_it_may_be_embedded_in_a_frame(client, world):
    response = client.get(URL)
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert (
        "script-src 'self'" in response["Content-Security-Policy"]
    )  # the rest of the policy stays
    # Every other page still refuses to be framed.
    other = client.get(reverse("portal:login"))
    assert other["X-Frame-Options"] == "DENY"


def test_it_takes_the_allowed_origins_from_the_configuration(world, settings):
    settings.WEBFORM_FRAME_ANCESTORS = "'self' https://www.example.com,https://shop.example.com"
    assert views.webform_csp()["frame-ancestors"] == [
        "'self'",
        "https://www.example.com",
        "https://shop.example.com",
    ]
    assert views.webform_csp()["script-src"] == ["'self'"]


def test_it_opens_a_case_for_a_new_customer_and_confirms_by_mail(client, world, settings):
    settings.SITE_URL = "https://service.example.com"
    response = client.post(
        URL, fill(attachments=[SimpleUploadedFile("kontrakt.pdf", b"%PDF", "application/pdf")])
    )
    assert response.status_code == 200
    ticket = new_tickets(world).get()
    assert ticket.number in response.text
    assert ticket.channel == Channel.WEBFORM
    assert ticket.team == world.support
    customer = ticket.customer
    assert customer.primary_email == "lars@example.dk"
    assert customer.name == "Lars Møller"
    message = ticket.messages.get()
    assert message.channel == Channel.WEBFORM
    assert message.meta == {"webform": {"consent": True}}
    assert message.attachments.get().filename == "kontrakt.pdf"
    assert not mail.outbox  # queued with the case, sent by the worker
    assert Outbox.objects.get(ticket=ticket).kind == OutboxKind.CONFIRMATION
    run_worker()
    assert len(mail.outbox) == 1
    confirmation = mail.outbox[0]
    assert confirmation.to == ["lars@example.dk"]
    assert f"[#{ticket.number}]" in confirmation.subject
    assert ticket.number in confirmation.body
    assert "https://service.example.com/portal/login/" in confirmation.body


def test_its_confirmation_repeats_nothing_the_visitor_typed(client, world):
    client.post(URL, fill(name="<b>Cheap & pills</b>", subject="WIN <money> & more",
                          text="Visit http://spam.example now"))
    ticket = new_tickets(world).get()
    run_worker()
    [confirmation] = mail.outbox
    assert confirmation.subject == f"We received your message [#{ticket.number}]"  # plain, not escaped
    for typed in ["Cheap", "pills", "WIN", "money", "spam.example", "&lt;", "&amp;"]:
        assert typed not in confirmation.subject and typed not in confirmation.body
    assert ticket.number in confirmation.body


def test_it_limits_confirmations_per_address(client, world, settings):
    settings.WEBFORM_CONFIRMATIONS_PER_HOUR = 2
    for _ in range(3):
        assert client.post(URL, fill(email="target@example.org")).status_code == 200
    assert new_tickets(world).count() == 3  # every case is opened ...
    run_worker()
    assert [m.to for m in mail.outbox] == [["target@example.org"]] * 2  # ... two confirmations go out
    client.post(URL, fill(email="other@example.org"))
    run_worker()
    assert mail.outbox[-1].to == ["other@example.org"]


def test_it_files_the_case_under_a_known_customer(client, world):
    customers = Customer.objects.count()
    client.post(URL, fill(email="ERIKA@example.org", name="Someone Else"))
    ticket = new_tickets(world).get()
    assert ticket.customer == world.customer
    assert Customer.objects.count() == customers
    world.customer.refresh_from_db()
    assert world.customer.name == "Erika Mustermann"  # a form does not rename a customer


def test_it_needs_no_csrf_token_because_it_lives_in_other_sites_frames(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(URL, fill())
    assert response.status_code == 200
    assert new_tickets(world).count() == 1


def test_it_pretends_success_to_a_robot_that_fills_the_honeypot(client, world):
    response = client.post(URL, fill(website="http://spam.example"))
    assert response.status_code == 200
    assert "Thank you" in response.text
    assert not new_tickets(world).exists()
    assert not mail.outbox


def test_it_refuses_a_form_filled_faster_than_a_person_can(client, world):
    response = client.post(URL, fill(form_token=old_form_token(seconds=0.5)))
    assert response.status_code == 400
    assert "quicker than a person can type" in response.text
    assert "Spørgsmål om tarif" in response.text  # what was typed stays
    assert not new_tickets(world).exists()


def test_it_says_what_is_wrong_next_to_each_field(client, world):
    response = client.post(URL, fill(name="", email="kein-mail", subject="", text="", consent=""))
    assert response.status_code == 400
    for text in [
        "Tell us your name.",
        "Enter a valid e-mail address.",
        "Give your concern a short subject.",
        "Describe your concern.",
        "We can only take your concern if you agree to this.",
    ]:
        assert text in response.text
    assert not new_tickets(world).exists()
    assert not mail.outbox


def test_it_refuses_a_blocked_attachment(client, world):
    response = client.post(
        URL, fill(attachments=[SimpleUploadedFile("tool.scr", b"MZ", "application/x-msdownload")])
    )
    assert response.status_code == 400
    assert "Files of type .scr are not accepted" in response.text
    assert not new_tickets(world).exists()


def test_it_survives_garbage(client, world):
    response = client.post(URL, {"form_token": "\x00" * 50, "email": "@" * 300, "consent": "maybe"})
    assert response.status_code == 400
    assert not new_tickets(world).exists()


def test_it_limits_submissions_per_ip(client, world, settings):
    settings.WEBFORM_PER_HOUR = 2
    assert client.post(URL, fill()).status_code == 200
    assert client.post(URL, fill()).status_code == 200
    response = client.post(URL, fill())
    assert response.status_code == 429
    assert "many messages from your network" in response.text
    assert new_tickets(world).count() == 2
    assert client.post(URL, fill(), REMOTE_ADDR="192.0.2.7").status_code == 200


def test_it_opens_one_case_when_the_form_is_sent_twice(client, world):
    data = fill()
    first = client.post(URL, data)
    second = client.post(URL, data)
    ticket = new_tickets(world).get()
    assert ticket.number in first.text and ticket.number in second.text
    run_worker()
    assert len(mail.outbox) == 1


def test_it_keeps_the_case_when_the_confirmation_cannot_be_sent(client, world, settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                    "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2}}}
    response = client.post(URL, fill())
    assert response.status_code == 200
    assert new_tickets(world).count() == 1
    run_worker()
    assert Outbox.objects.get(kind=OutboxKind.CONFIRMATION).last_error  # kept for the retry


def test_it_counts_the_client_address_from_the_proxy_header_when_configured(
    client, world, settings
):
    settings.WEBFORM_PER_HOUR = 1
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    assert client.post(URL, fill(), HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy).status_code == 200
    assert (
        client.post(URL, fill(), HTTP_X_FORWARDED_FOR="spoofed, 198.51.100.2", **proxy).status_code
        == 200
    )
    assert client.post(URL, fill(), HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy).status_code == 429
