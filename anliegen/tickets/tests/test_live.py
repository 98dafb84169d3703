import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from anliegen import testing
from anliegen.tickets import actions, queues
from anliegen.tickets.models import Priority


def _queue(world) -> str:
    return reverse("tickets:queue", args=[world.support.slug])


def _poll(client, url: str, since: str, **filters: str):
    return client.get(url, {**filters, "live": "1", "since": since}, headers={"HX-Request": "true"})


def test_it_renders_a_poller_without_inline_script(anna, world):
    response = anna.get(_queue(world))
    assert 'hx-trigger="every 3s"' in response.text
    assert 'data-live-queue' in response.text
    assert 'hx-swap="afterbegin"' in response.text
    assert "<script>" not in response.text and "hx-on" not in response.text
    assert "script-src 'self'" in response["Content-Security-Policy"]
    row = response.context["rows"][0]
    assert f'data-cursor="{row.queue_cursor}"' in response.text


def test_it_answers_204_when_nothing_is_new(anna, world):
    newest = anna.get(_queue(world)).context["rows"][0].queue_cursor
    response = _poll(anna, _queue(world), newest)
    assert response.status_code == 204


def test_it_returns_only_cases_newer_than_the_newest_shown(anna, world):
    newest = anna.get(_queue(world)).context["rows"][0].queue_cursor
    fresh = testing.make_ticket(team=world.support, subject="Ganz neu: Internet weg")
    testing.make_ticket(team=world.commercial, subject="Anderes Team")
    response = _poll(anna, _queue(world), newest)
    assert response.status_code == 200
    assert fresh.number in response.text
    assert world.ticket.number not in response.text
    assert "Anderes Team" not in response.text
    assert '<input type="checkbox" name="tickets"' in response.text
    assert [t.pk for t in response.context["rows"]] == [fresh.pk]


def test_it_respects_the_filters(anna, world):
    newest = anna.get(_queue(world)).context["rows"][0].queue_cursor
    testing.make_ticket(team=world.support, subject="Normal")
    assert _poll(anna, _queue(world), newest, priority=str(Priority.URGENT)).status_code == 204
    urgent = testing.make_ticket(team=world.support, subject="Dringend", priority=Priority.URGENT)
    response = _poll(anna, _queue(world), newest, priority=str(Priority.URGENT))
    assert [t.pk for t in response.context["rows"]] == [urgent.pk]


def test_it_works_on_an_empty_queue_from_the_render_time(anna, world):
    response = anna.get(reverse("tickets:mine"))
    assert response.context["rows"] == []
    since = response.context["live_since"]
    assert since in response.text
    mine = testing.make_ticket(team=world.support, subject="Für Anna")
    actions.assign_ticket(ticket=mine, assignee=world.agent, actor=world.lead)
    response = _poll(anna, reverse("tickets:mine"), since)
    assert [t.pk for t in response.context["rows"]] == [mine.pk]


def test_it_ignores_a_bad_position(anna, world):
    assert _poll(anna, _queue(world), "garbage").status_code == 204
    assert _poll(anna, _queue(world), "").status_code == 204
    naive = queues.encode_position(datetime.datetime(2020, 1, 1), 0)
    assert _poll(anna, _queue(world), naive).status_code == 204


def test_it_polls_with_a_bounded_number_of_queries(anna, world):
    since = queues.encode_position(timezone.now() - datetime.timedelta(hours=1), 0)
    with CaptureQueriesContext(connection) as few:
        _poll(anna, _queue(world), since)
    customer = testing.make_customer(email="live@example.org")
    for i in range(12):
        testing.make_ticket(team=world.support, customer=customer, subject=f"Neu {i}", tags=["x"])
    with CaptureQueriesContext(connection) as many:
        response = _poll(anna, _queue(world), since)
    assert len(response.context["rows"]) == 13
    assert len(many) == len(few) <= 8


def test_it_keeps_other_teams_out_of_the_poll(olga, world):
    since = queues.encode_position(timezone.now() - datetime.timedelta(hours=1), 0)
    assert _poll(olga, _queue(world), since).status_code == 404
