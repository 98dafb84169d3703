import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from anliegen.accounts.models import Team, TeamKind
from anliegen.tickets.models import FormSubmission as Submission
from anliegen.tickets.models import Channel, Event, Ticket

TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def form_token(client) -> str:
    page = client.get(reverse("portal:new"))
    assert page.status_code == 200
    return TOKEN.search(page.text).group(1)


def concern(client, **fields):
    data = {
        "subject": "Power cut in the basement",
        "text": "Since yesterday there is no power in my basement at all.",
        **fields,
    }
    data.setdefault("form_token", form_token(client))
    return client.post(reverse("portal:new"), data)


def new_tickets(world):
    return Ticket.objects.exclude(
        pk__in=[world.ticket.pk, world.other_ticket.pk, world.confidential_ticket.pk]
    )


def test_it_opens_a_case_from_the_portal(customer_client, world):
    response = concern(
        customer_client, attachments=[SimpleUploadedFile("zaehler.jpg", b"JPEGDATA", "image/jpeg")]
    )
    ticket = new_tickets(world).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:case", args=[ticket.number])
    assert ticket.channel == Channel.PORTAL
    assert ticket.customer == world.customer
    assert ticket.team == world.support  # the first support team that is not confidential
    assert ticket.subject == "Power cut in the basement"
    message = ticket.messages.get()
    assert message.author_customer == world.customer
    assert message.channel == Channel.PORTAL
    assert message.text == "Since yesterday there is no power in my basement at all."
    assert message.attachments.get().filename == "zaehler.jpg"
    assert Event.objects.filter(ticket=ticket, kind="created").exists()
    page = customer_client.get(response["Location"])
    assert "We received your concern as case" in page.text
    assert ticket.number in customer_client.get(reverse("portal:cases")).text


def test_it_uses_the_configured_team(customer_client, world, settings):
    settings.PORTAL_TEAM = world.commercial.slug
    concern(customer_client)
    assert new_tickets(world).get().team == world.commercial


def test_it_falls_back_when_the_configured_team_is_unknown(customer_client, world, settings):
    settings.PORTAL_TEAM = "no-such-team"
    concern(customer_client)
    assert new_tickets(world).get().team == world.support


def test_it_says_so_when_no_team_takes_concerns(customer_client, world):
    Team.objects.filter(kind=TeamKind.SUPPORT).update(kind=TeamKind.SECOND_LEVEL)
    response = concern(customer_client)
    assert response.status_code == 400
    assert "cannot be received right now" in response.text
    assert not new_tickets(world).exists()
    assert not Submission.objects.exists()  # the token can be used again


def test_it_opens_one_case_when_the_form_is_sent_twice(customer_client, world):
    token = form_token(customer_client)
    first = concern(customer_client, form_token=token)
    second = concern(customer_client, form_token=token)
    ticket = new_tickets(world).get()
    assert first["Location"] == second["Location"] == reverse("portal:case", args=[ticket.number])
    page = customer_client.get(second["Location"])
    assert "We had already received this concern" in page.text
    assert Submission.objects.get().ticket == ticket


def test_it_says_what_is_missing(customer_client, world):
    response = concern(customer_client, subject="", text="")
    assert response.status_code == 400
    assert "Give your concern a short subject." in response.text
    assert "Describe your concern." in response.text
    assert not new_tickets(world).exists()


def test_it_refuses_blocked_file_types(customer_client, world):
    response = concern(
        customer_client,
        attachments=[SimpleUploadedFile("setup.exe", b"MZ", "application/octet-stream")],
    )
    assert response.status_code == 400
    assert "Files of type .exe are not accepted (setup.exe)." in response.text
    assert "Power cut in the basement" in response.text  # what was typed stays
    assert not new_tickets(world).exists()


def test_it_refuses_files_over_the_limit(customer_client, world, settings):
    settings.ATTACHMENT_MAX_BYTES = 2 * 1024 * 1024
    big = SimpleUploadedFile("foto.jpg", b"x" * (3 * 1024 * 1024), "image/jpeg")
    response = concern(customer_client, attachments=[big])
    assert response.status_code == 400
    assert "foto.jpg is too large (3 MB); the limit is 2 MB." in response.text
    assert not new_tickets(world).exists()


def test_it_refuses_too_many_files(customer_client, world):
    files = [SimpleUploadedFile(f"f{i}.txt", b"x", "text/plain") for i in range(6)]
    response = concern(customer_client, attachments=files)
    assert response.status_code == 400
    assert "Please attach at most 5 files." in response.text
    assert not new_tickets(world).exists()


def test_it_asks_again_when_the_form_token_is_forged(customer_client, world):
    response = concern(customer_client, form_token="forged")
    assert response.status_code == 400
    assert "This form has expired." in response.text
    fresh = TOKEN.search(response.text).group(1)
    assert fresh != "forged"
    assert not new_tickets(world).exists()
    assert concern(customer_client, form_token=fresh).status_code == 302
    assert new_tickets(world).count() == 1
