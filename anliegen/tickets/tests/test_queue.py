from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from anliegen import testing
from anliegen.tickets import actions, queues
from anliegen.tickets.models import Priority, Status


def _queue(world) -> str:
    return reverse("tickets:queue", args=[world.support.slug])


def _make_many(world, count: int) -> list:
    customer = testing.make_customer("Viele Fälle", email=f"many{count}@example.org")
    return [testing.make_ticket(team=world.support, customer=customer, subject=f"Fall Nummer {i}")
            for i in range(count)]


def test_it_shows_the_team_queue_with_counts_and_quick_filters(anna, world):
    response = anna.get(_queue(world))
    assert response.status_code == 200
    assert world.ticket.number in response.text
    assert world.other_ticket.number not in response.text
    assert "?assignee=none" in response.text  # the "Unassigned" quick filter
    counts = {c.status: c.count for c, _query in response.context["count_links"]}
    assert counts == {Status.NEW: 1, Status.OPEN: 0, Status.PENDING: 0}


def test_it_filters_unassigned_mine_and_by_teammate(anna, world):
    mine = testing.make_ticket(team=world.support, subject="Meiner")
    toms = testing.make_ticket(team=world.support, subject="Toms Fall")
    actions.assign_ticket(ticket=mine, assignee=world.agent, actor=world.agent)
    actions.assign_ticket(ticket=toms, assignee=world.teammate, actor=world.agent)

    unassigned = anna.get(_queue(world), {"assignee": "none"})
    assert [t.pk for t in unassigned.context["rows"]] == [world.ticket.pk]

    by_tom = anna.get(_queue(world), {"assignee": str(world.teammate.pk)})
    assert [t.pk for t in by_tom.context["rows"]] == [toms.pk]

    response = anna.get(reverse("tickets:mine"))
    assert [t.pk for t in response.context["rows"]] == [mine.pk]


def test_it_filters_by_status_priority_and_tag(anna, world):
    urgent = testing.make_ticket(team=world.support, subject="Dringend", priority=Priority.URGENT, tags=["strom"])
    solved = testing.make_ticket(team=world.support, subject="Erledigt")
    actions.set_status(ticket=solved, status=Status.SOLVED, actor=world.agent)

    assert {t.pk for t in anna.get(_queue(world)).context["rows"]} == {world.ticket.pk, urgent.pk}
    assert [t.pk for t in anna.get(_queue(world), {"priority": "4"}).context["rows"]] == [urgent.pk]
    assert [t.pk for t in anna.get(_queue(world), {"tag": "Strom"}).context["rows"]] == [urgent.pk]
    assert [t.pk for t in anna.get(_queue(world), {"status": "solved"}).context["rows"]] == [solved.pk]
    assert len(anna.get(_queue(world), {"status": "all"}).context["rows"]) == 3
    # Nonsense in the query string falls back to the defaults instead of failing.
    response = anna.get(_queue(world), {"status": "drop table", "priority": "99", "assignee": "x" * 50})
    assert response.status_code == 200
    assert len(response.context["rows"]) == 2


def test_it_pages_with_a_keyset_cursor(anna, world, settings):
    made = _make_many(world, 7)
    first = anna.get(_queue(world))
    assert len(first.context["rows"]) == 8  # all fit on one page of 50
    page = queues.page(world.support.tickets.all(), size=3, split_statuses=queues.Filters().statuses)
    second = queues.page(world.support.tickets.all(), page.next_cursor, size=3,
                         split_statuses=queues.Filters().statuses)
    third = queues.page(world.support.tickets.all(), second.next_cursor, size=3,
                        split_statuses=queues.Filters().statuses)
    seen = [t.pk for t in page.tickets + second.tickets + third.tickets]
    assert seen == sorted(seen, reverse=True)  # newest first, nothing twice, nothing skipped
    assert set(seen) == {t.pk for t in made} | {world.ticket.pk}
    assert third.next_cursor is None


def test_it_follows_the_next_page_link(anna, world, monkeypatch):
    _make_many(world, 5)
    monkeypatch.setattr(queues, "PAGE_SIZE", 4)
    first = anna.get(_queue(world))
    assert len(first.context["rows"]) == 4
    cursor = first.context["page"].next_cursor
    assert f"after={cursor}" in first.text
    second = anna.get(_queue(world), {"after": cursor})
    assert len(second.context["rows"]) == 2
    assert not {t.pk for t in first.context["rows"]} & {t.pk for t in second.context["rows"]}
    assert 'data-live-queue' not in second.text  # only the first page polls for new cases
    assert anna.get(_queue(world), {"after": "not-a-cursor"}).status_code == 200


def test_it_makes_the_same_number_of_queries_for_few_and_many_cases(anna, world):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert anna.get(_queue(world)).status_code == 200
        return len(queries)

    few = count()
    many_tickets = _make_many(world, 30)
    for t in many_tickets[:10]:
        actions.tag_ticket(ticket=t, add=["a", "b"], actor=world.agent)
        actions.assign_ticket(ticket=t, assignee=world.teammate, actor=world.agent)
    assert count() == few
    assert few <= 16, few

    with CaptureQueriesContext(connection) as queries:
        anna.get(reverse("tickets:mine"))
    assert len(queries) <= 16


def test_it_caps_the_header_counts(anna, world, monkeypatch):
    _make_many(world, 4)
    monkeypatch.setattr(queues, "COUNT_CAP", 3)
    response = anna.get(_queue(world))
    new = response.context["count_links"][0][0]
    assert (new.count, new.capped, new.shown) == (3, True, "3+")
    assert "3+" in response.text


def test_it_hides_queues_of_other_teams(olga, world):
    assert olga.get(_queue(world)).status_code == 404
    assert olga.get(reverse("tickets:queue", args=["no-such-team"])).status_code == 404


def test_it_shows_a_confidential_queue_only_to_members(client, world):
    url = reverse("tickets:queue", args=[world.confidential.slug])
    client.login(username="anna", password=testing.PASSWORD)
    assert client.get(url).status_code == 404
    client.login(username="carla", password=testing.PASSWORD)
    response = client.get(url)
    assert world.confidential_ticket.number in response.text


def test_it_sends_anonymous_visitors_to_sign_in(client, world):
    response = client.get(_queue(world))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_its_rows_name_customers_and_assignees_as_the_case_view_does(anna, world):
    nameless = testing.make_customer("", email="ohne.namen@example.org")
    case = testing.make_ticket(team=world.support, customer=nameless, subject="Ohne Namen <b>fett</b>")
    actions.tag_ticket(ticket=case, add=["zweitens", "erstens"], actor=world.agent)
    actions.assign_ticket(ticket=case, assignee=world.teammate, actor=world.agent)

    response = anna.get(_queue(world))
    row = next(r for r in response.context["rows"] if r.pk == case.pk)
    assert row.customer_label == str(nameless) == "ohne.namen@example.org"
    assert row.assignee_label == str(world.teammate)
    assert row.tag_names == ["erstens", "zweitens"]
    html = response.content.decode()
    assert "Ohne Namen &lt;b&gt;fett&lt;/b&gt;" in html and "<b>fett</b>" not in html
    assert f'data-case="{case.number}"' in html and 'data-cursor="' in html
