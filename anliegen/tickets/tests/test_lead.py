import datetime

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from anliegen import testing
from anliegen.tickets import actions
from anliegen.tickets.models import Level, Status, Ticket

URL = "/lead/"


def test_the_url_name_is_tickets_lead():
    assert reverse("tickets:lead") == URL


def test_it_is_only_for_leads(anna, olga, world, client):
    assert anna.get(URL).status_code == 403  # role_required: Anliegen's "not allowed" page
    assert olga.get(URL).status_code == 403
    assert client.get(URL).status_code == 302  # not signed in


def test_it_shows_what_needs_the_lead_and_the_workload(lena, world):
    actions.escalate_ticket(ticket=world.ticket, reason="Dritter Anruf ohne Lösung", actor=world.agent,
                            level=Level.LEAD)
    actions.escalate_ticket(ticket=world.other_ticket, reason="Komplex", actor=world.outsider)
    solved_lead = testing.make_ticket(team=world.support, subject="Schon gelöst")
    actions.escalate_ticket(ticket=solved_lead, reason="x", actor=world.agent, level=Level.LEAD)
    actions.set_status(ticket=solved_lead, status=Status.SOLVED, actor=world.lead)
    actions.assign_ticket(ticket=world.ticket, assignee=world.agent, actor=world.lead)
    actions.add_reply(ticket=world.other_ticket, author=world.outsider, text="Wir prüfen das.")

    response = lena.get(URL)
    assert response.status_code == 200
    overview = response.context["overview"]
    assert [t.pk for t in overview.escalated] == [world.ticket.pk]
    assert overview.lead_level_total == 1
    assert overview.second_level_total == 1

    loads = {load.team.slug: load for load in overview.teams}
    support = loads[world.support.slug]
    assert (support.active, support.lead_level, support.unassigned) == (1, 1, 0)
    commercial = loads[world.commercial.slug]
    assert commercial.by_status == {"open": 1}
    assert commercial.second_level == 1

    agents = {a.user.username: a.active for a in overview.agents}
    assert agents["anna"] == 1 and agents["tom"] == 0

    unanswered = [t.pk for t in overview.oldest_unanswered]
    assert world.other_ticket.pk not in unanswered  # answered
    assert unanswered[0] == world.ticket.pk  # oldest first
    assert solved_lead.pk not in unanswered

    assert overview.new_today == 4
    escalated = response.text.split('id="escalated"')[1].split("</section>")[0]
    assert world.ticket.number in escalated and "Dritter Anruf ohne Lösung" in escalated


def test_it_keeps_the_figures_for_a_few_seconds(lena, world, django_assert_max_num_queries):
    assert lena.get(URL).context["overview"].new_today == 3
    testing.make_ticket(team=world.support, subject="Neu dazu")
    with django_assert_max_num_queries(4):  # session, user, side bar: the overview comes from the cache
        assert lena.get(URL).context["overview"].new_today == 3
    cache.clear()
    assert lena.get(URL).context["overview"].new_today == 4


def test_it_counts_only_todays_new_cases(lena, world):
    Ticket.objects.filter(pk=world.other_ticket.pk).update(
        created_at=world.other_ticket.created_at - datetime.timedelta(days=2))
    assert lena.get(URL).context["overview"].new_today == 2


def test_it_marks_an_agent_over_the_cap(lena, world):
    world.agent.max_open_cases = 0
    world.agent.save(update_fields=["max_open_cases"])
    actions.assign_ticket(ticket=world.ticket, assignee=world.agent, actor=world.lead)
    response = lena.get(URL)
    assert "over the cap" in response.text


def test_it_makes_the_same_number_of_queries_however_many_cases(lena, world):
    def count() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert lena.get(URL).status_code == 200
        return len(queries)

    actions.escalate_ticket(ticket=world.ticket, reason="x", actor=world.lead, level=Level.LEAD)
    few = count()
    customer = testing.make_customer(email="lots@example.org")
    for i in range(15):
        t = testing.make_ticket(team=world.support if i % 2 else world.commercial, customer=customer,
                                subject=f"Fall {i}")
        if i % 3 == 0:
            actions.escalate_ticket(ticket=t, reason="x", actor=world.lead, level=Level.LEAD)
        if i % 4 == 0:
            actions.assign_ticket(ticket=t, assignee=world.agent if i % 2 else world.outsider, actor=world.lead)
    assert count() == few <= 13


def test_it_shows_the_cached_overview_in_each_readers_language(client, world):
    from django.core.cache import cache

    from anliegen.accounts.actions import update_preferences
    from anliegen.testing import PASSWORD

    cache.clear()
    update_preferences(user=world.lead, ui_language="de", availability="available")
    client.login(username="lena", password=PASSWORD)
    assert "Wartend" in client.get("/lead/").content.decode()
    update_preferences(user=world.lead, ui_language="da", availability="available")
    page = client.get("/lead/").content.decode()
    assert "Wartend" not in page
