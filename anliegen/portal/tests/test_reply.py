import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from anliegen.testing import make_ticket
from anliegen.tickets import actions
from anliegen.tickets.models import Channel, Event, MessageKind, Status, Ticket

TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def reply(client, ticket, text="The router is still blinking red, nothing has changed.", **fields):
    if "form_token" not in fields:
        page = client.get(reverse("portal:case", args=[ticket.number]))
        fields["form_token"] = TOKEN.search(page.text).group(1)
    return client.post(reverse("portal:reply", args=[ticket.number]), {"text": text, **fields})


def test_it_adds_the_customers_message(customer_client, world):
    response = reply(
        customer_client,
        world.ticket,
        attachments=[SimpleUploadedFile("router.png", b"\x89PNG", "image/png")],
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:case", args=[world.ticket.number]))
    message = world.ticket.messages.order_by("-id").first()
    assert message.kind == MessageKind.INBOUND
    assert message.channel == Channel.PORTAL
    assert message.author_customer == world.customer
    assert message.text == "The router is still blinking red, nothing has changed."
    assert message.attachments.get().filename == "router.png"
    page = customer_client.get(response["Location"])
    assert "Your message was sent." in page.text
    assert "The router is still blinking red, nothing has changed." in page.text


def test_it_reopens_a_solved_case(customer_client, world):
    actions.set_status(ticket=world.ticket, status=Status.SOLVED, actor=world.agent)
    reply(customer_client, world.ticket, text="Leider doch nicht gelöst.")
    world.ticket.refresh_from_db()
    assert world.ticket.status == Status.OPEN
    assert world.ticket.solved_at is None
    assert Event.objects.filter(
        ticket=world.ticket, kind="reopened", actor_label="customer"
    ).exists()


def test_it_adds_one_message_when_the_form_is_sent_twice(customer_client, world):
    page = customer_client.get(reverse("portal:case", args=[world.ticket.number]))
    token = TOKEN.search(page.text).group(1)
    reply(customer_client, world.ticket, form_token=token)
    second = reply(customer_client, world.ticket, form_token=token)
    assert second.status_code == 302
    assert (
        world.ticket.messages.filter(
            text="The router is still blinking red, nothing has changed."
        ).count()
        == 1
    )
    assert "We had already received this message." in customer_client.get(second["Location"]).text


def test_it_refuses_a_reply_to_another_customers_case(customer_client, world):
    before = world.other_ticket.messages.count()
    response = customer_client.post(
        reverse("portal:reply", args=[world.other_ticket.number]),
        {"text": "Hallo", "form_token": "x"},
    )
    assert response.status_code == 404
    assert world.other_ticket.messages.count() == before


def test_it_says_when_the_message_is_empty(customer_client, world):
    before = world.ticket.messages.count()
    response = reply(customer_client, world.ticket, text="   ")
    assert response.status_code == 400
    assert "Write your message before sending it." in response.text
    assert world.ticket.messages.count() == before


def test_it_refuses_a_blocked_attachment_and_keeps_the_text(customer_client, world):
    before = world.ticket.messages.count()
    response = reply(
        customer_client,
        world.ticket,
        attachments=[SimpleUploadedFile("x.bat", b"@echo", "text/plain")],
    )
    assert response.status_code == 400
    assert "Files of type .bat are not accepted" in response.text
    assert "The router is still blinking red, nothing has changed." in response.text
    assert world.ticket.messages.count() == before


def test_it_takes_a_reply_on_a_merged_case_into_the_case_it_continues_in(customer_client, world):
    target = make_ticket(
        team=world.support, customer=world.customer, subject="Router immer noch kaputt"
    )
    actions.merge_tickets(source=world.ticket, target=target, actor=world.agent)
    response = customer_client.post(
        reverse("portal:reply", args=[world.ticket.number]),
        {"text": "Noch eine Frage", "form_token": _token()},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:case", args=[target.number]))
    assert target.messages.filter(text="Noch eine Frage", author_customer=world.customer).exists()


def _token() -> str:
    from anliegen.portal.tokens import new_form_token

    return new_form_token()


def test_it_refuses_a_reply_on_a_case_merged_into_someone_elses(customer_client, world):
    # Merging cases of different customers is refused now; a merge made before that rule
    # (or by hand in the database) must still not let a reply reach the other customer's case.
    Ticket.objects.filter(pk=world.ticket.pk).update(merged_into=world.other_ticket, status=Status.CLOSED)
    before = world.other_ticket.messages.count()
    response = customer_client.post(
        reverse("portal:reply", args=[world.ticket.number]),
        {"text": "Hallo?", "form_token": _token()},
    )
    assert response.status_code == 400
    assert "please submit a new concern" in response.text
    assert world.other_ticket.number not in response.text
    assert world.other_ticket.messages.count() == before
