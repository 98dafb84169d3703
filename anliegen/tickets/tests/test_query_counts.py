"""Query-count caps on the pages agents use all day. Each page is measured on a case (or a
result list) that has grown, so a query per message, event, attachment or row shows up as a
broken cap. The counts include the session, the user and the savepoints Django writes inside
the test's transaction."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from anliegen import testing
from anliegen.api.actions import create_token
from anliegen.tickets import actions
from anliegen.tickets.storage import IncomingFile

CASE_VIEW_MAX = 19
SEARCH_MAX = 10  # 9 on SQLite; PostgreSQL's full-text search runs one statement more
API_LIST_MAX = 8
# 45 before: the case read three times, the SLA computed twice, the presence row written in five
# statements. What is left: session, user and teams (3), the access read and the lock (2), the
# form's token (1), the message and its index (2), one UPDATE and one INSERT of events for the
# case (2), the SLA (4, in routing's savepoint), the outbox row and what it reads (5), the presence
# row (1) and the action's own savepoint pair (2; a BEGIN/COMMIT outside tests).
REPLY_POST_MAX = 23


def _grow(world, ticket, n: int = 6) -> None:
    for i in range(n):
        actions.add_customer_message(ticket=ticket, customer=world.customer, text=f"Router {i}",
                                     attachments=[IncomingFile(filename=f"log{i}.txt", content_type="text/plain",
                                                               data=b"log")])
        actions.add_reply(ticket=ticket, author=world.agent, text=f"Antwort {i}")
        actions.add_note(ticket=ticket, author=world.teammate, text=f"Notiz {i}")
        actions.tag_ticket(ticket=ticket, add=[f"tag{i}"], actor=world.agent)


def _count(client, method: str, url: str, **kwargs) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, **kwargs)
    return len(queries.captured_queries), response


def test_the_case_view_reads_a_fixed_number_of_times(anna, world):
    url = reverse("tickets:case", args=[world.ticket.number])
    anna.get(url)
    small, _response = _count(anna, "get", url)
    _grow(world, world.ticket)
    for n in range(4):
        testing.make_ticket(team=world.support, customer=world.customer, subject=f"Weiterer Fall {n}")
    grown, response = _count(anna, "get", url)
    assert response.status_code == 200 and "Antwort 5" in response.text
    assert grown == small <= CASE_VIEW_MAX


def test_search_reads_a_fixed_number_of_times(anna, world):
    url = reverse("tickets:search") + "?q=Router"
    anna.get(url)  # the session's first request after signing in writes it once
    small, _response = _count(anna, "get", url)
    for n in range(8):
        case = testing.make_ticket(team=world.support, customer=world.customer, subject=f"Router {n}")
        actions.tag_ticket(ticket=case, add=["router", f"n{n}"], actor=world.agent)
    grown, response = _count(anna, "get", url)
    assert response.status_code == 200 and "Router 7" in response.text
    assert grown == small <= SEARCH_MAX


def test_the_api_case_list_reads_a_fixed_number_of_times(client, world):
    _token, plain = create_token(user=world.agent, name="CRM")
    client.get("/api/cases", HTTP_AUTHORIZATION=f"Bearer {plain}")  # the token's first use is recorded once
    small, _response = _count(client, "get", "/api/cases", HTTP_AUTHORIZATION=f"Bearer {plain}")
    for n in range(8):
        case = testing.make_ticket(team=world.support, customer=world.customer, subject=f"Fall {n}")
        actions.tag_ticket(ticket=case, add=["a", f"n{n}"], actor=world.agent)
        actions.assign_ticket(ticket=case, assignee=world.teammate, actor=world.agent)
    grown, response = _count(client, "get", "/api/cases", HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert len(response.json()["items"]) == 9
    assert grown == small <= API_LIST_MAX


@pytest.mark.parametrize("first", [True, False], ids=["first reply", "later reply"])
def test_a_reply_post_runs_a_capped_number_of_statements(anna, world, first):
    if not first:
        _grow(world, world.ticket, 2)
    url = reverse("tickets:case", args=[world.ticket.number])
    token = anna.get(url).context["reply_form"].initial["form_token"]
    count, response = _count(anna, "post", reverse("tickets:reply", args=[world.ticket.number]),
                             data={"text": "Bitte neu starten.", "form_token": token})
    assert response.status_code == 302
    assert world.ticket.messages.filter(text="Bitte neu starten.").count() == 1
    assert world.ticket.events.filter(kind="replied").count() == (1 if first else 3)
    assert count <= REPLY_POST_MAX
