from django.test.utils import CaptureQueriesContext
from django.db import connection
from django.urls import reverse

from anliegen.testing import make_ticket
from anliegen.tickets import actions
from anliegen.tickets.models import AccessLog, Status
from anliegen.tickets.storage import IncomingFile


def test_it_lists_only_the_customers_own_cases(customer_client, world):
    actions.set_status(ticket=world.ticket, status=Status.PENDING, actor=world.agent)
    response = customer_client.get(reverse("portal:cases"))
    assert response.status_code == 200
    assert world.ticket.number in response.text
    assert "Router startet nicht" in response.text
    assert "Waiting for your answer" in response.text
    assert world.confidential_ticket.number in response.text  # her own, whatever the team
    assert world.other_ticket.number not in response.text
    assert "Faktura forkert" not in response.text
    assert set(response.context["page"].object_list) == {world.ticket, world.confidential_ticket}


def test_it_lists_many_cases_in_few_queries(customer_client, world):
    for i in range(30):
        make_ticket(team=world.support, customer=world.customer, subject=f"Frage {i}")
    customer_client.get(reverse("portal:cases"))
    with CaptureQueriesContext(connection) as queries:
        response = customer_client.get(reverse("portal:cases"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 25
    assert len(queries) <= 6  # session, customer, count, page (+ savepoints on some backends)
    second = customer_client.get(reverse("portal:cases"), {"page": 2})
    assert len(second.context["page"].object_list) == 7


def test_it_shows_public_messages_but_never_internal_notes(customer_client, world):
    actions.add_note(ticket=world.ticket, author=world.agent, text="Kunde wirkt gereizt, intern")
    actions.add_reply(
        ticket=world.ticket, author=world.agent, text="Bitte starten Sie den Router neu."
    )
    response = customer_client.get(reverse("portal:case", args=[world.ticket.number]))
    assert response.status_code == 200
    assert "Guten Tag, ich wurde zweimal belastet." in response.text
    assert "Bitte starten Sie den Router neu." in response.text
    assert "Kunde wirkt gereizt" not in response.text
    assert "Anna" in response.text  # the agent who replied


def test_it_logs_every_read_of_a_case(customer_client, world):
    customer_client.get(reverse("portal:case", args=[world.ticket.number]))
    log = AccessLog.objects.get(ticket=world.ticket)
    assert log.customer == world.customer
    assert log.user is None
    assert log.via == "portal"


def test_it_hides_another_customers_case(customer_client, world):
    response = customer_client.get(reverse("portal:case", args=[world.other_ticket.number]))
    assert response.status_code == 404
    assert "Faktura" not in response.text
    assert not AccessLog.objects.filter(ticket=world.other_ticket).exists()


def test_it_answers_404_for_a_malformed_or_unknown_number(customer_client, world):
    for number in ["nonsense", "A-999999", "A-0", "0"]:
        assert customer_client.get(reverse("portal:case", args=[number])).status_code == 404


def test_it_lets_the_customer_download_their_own_attachments(customer_client, world):
    message = actions.add_reply(
        ticket=world.ticket,
        author=world.agent,
        text="Anbei die Anleitung.",
        attachments=[IncomingFile("anleitung.pdf", "application/pdf", b"%PDF-1.4 router")],
    )
    item = message.attachments.get()
    page = customer_client.get(reverse("portal:case", args=[world.ticket.number]))
    url = reverse("portal:attachment", args=[item.pk])
    assert url in page.text
    response = customer_client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 router"
    assert "attachment" in response["Content-Disposition"]
    assert "anleitung.pdf" in response["Content-Disposition"]
    assert AccessLog.objects.filter(ticket=world.ticket, customer=world.customer).count() == 2


def test_it_refuses_other_customers_attachments_and_those_on_notes(customer_client, world):
    theirs = actions.add_reply(
        ticket=world.other_ticket,
        author=world.outsider,
        text="Faktura vedhæftet",
        attachments=[IncomingFile("faktura.pdf", "application/pdf", b"%PDF faktura")],
    )
    note = actions.add_note(
        ticket=world.ticket,
        author=world.agent,
        text="Screenshot intern",
        attachments=[IncomingFile("intern.png", "image/png", b"\x89PNG intern")],
    )
    for message in (theirs, note):
        response = customer_client.get(
            reverse("portal:attachment", args=[message.attachments.get().pk])
        )
        assert response.status_code == 404
    assert customer_client.get(reverse("portal:attachment", args=[999999])).status_code == 404
    page = customer_client.get(reverse("portal:case", args=[world.ticket.number]))
    assert "intern.png" not in page.text


def test_it_points_from_a_merged_case_to_the_one_it_continues_in(customer_client, world):
    target = make_ticket(
        team=world.support, customer=world.customer, subject="Router immer noch kaputt"
    )
    actions.merge_tickets(source=world.ticket, target=target, actor=world.agent)
    response = customer_client.get(reverse("portal:case", args=[world.ticket.number]))
    assert response.status_code == 200
    assert reverse("portal:case", args=[target.number]) in response.text
    assert 'id="reply"' not in response.text
