"""The SLA page, calendar and policy forms, and the case panel."""

from anliegen import testing
from anliegen.routing.models import BusinessCalendarConfig, SLAPolicy
from anliegen.routing.sla.compute import check_sla_breaches

from .conftest import berlin


def login(client, username: str) -> None:
    assert client.login(username=username, password=testing.PASSWORD)


def test_it_lists_breached_and_due_cases_the_agent_may_see(client, world, policy, clock) -> None:
    mine = testing.make_ticket(team=world.support, customer=world.customer, subject="Fällig", text="a")
    clock.set(berlin(2026, 11, 23, 12))
    check_sla_breaches()
    login(client, "anna")
    text = client.get("/routing/sla/").content.decode()
    assert mine.number in text and "breached" in text
    login(client, "olga")
    assert mine.number not in client.get("/routing/sla/").content.decode()


def test_it_creates_a_calendar_and_explains_missing_hours(client, world) -> None:
    login(client, "lena")
    response = client.post("/routing/sla/calendars/new/", {"name": "Leer", "country": "DE", "timezone": "Europe/Berlin",
                                                           "hours": "  "})
    assert response.status_code == 400
    response = client.post("/routing/sla/calendars/new/", {"name": "Leer", "country": "DE", "timezone": "Europe/Berlin",
                                                           "hours": "# geschlossen"})
    assert response.status_code == 400 and "no opening hours" in response.content.decode()
    response = client.post("/routing/sla/calendars/new/", {"name": "Hamburg", "country": "DE", "subdivision": "hh",
                                                           "timezone": "Europe/Berlin",
                                                           "hours": "mon-fri 08:00-18:00\nsat 09:00-12:00",
                                                           "closed_dates": "2026-12-24, 2026-12-31"})
    assert response.status_code == 302
    calendar = BusinessCalendarConfig.objects.get()
    assert calendar.subdivision == "HH" and calendar.closed_dates == ["2026-12-24", "2026-12-31"]
    assert calendar.hours["5"] == [[540, 720]]
    response = client.post(f"/routing/sla/calendars/{calendar.pk}/", {
        "name": "Hamburg", "country": "DE", "timezone": "Europe/Berlin", "hours": "mon 08:00", "closed_dates": ""})
    assert response.status_code == 400 and "08:00-18:00" in response.content.decode()
    assert client.get(f"/routing/sla/calendars/{calendar.pk}/").status_code == 200


def test_it_creates_a_policy_in_hours(client, world, berlin_calendar) -> None:
    login(client, "lena")
    response = client.post("/routing/sla/policies/new/", {
        "name": "Urgent", "active": "on", "calendar": berlin_calendar.pk, "priority": 4, "segment": "",
        "first_response_hours": "0.5", "resolution_hours": "4", "notify_lead": "on"})
    assert response.status_code == 302
    policy = SLAPolicy.objects.get()
    assert (policy.first_response_minutes, policy.resolution_minutes) == (30, 240)
    response = client.post(f"/routing/sla/policies/{policy.pk}/", {
        "name": "Urgent", "calendar": berlin_calendar.pk, "segment": "", "first_response_hours": "5",
        "resolution_hours": "4"})
    assert response.status_code == 400 and "after the resolution" in response.content.decode()
    login(client, "anna")
    assert client.get("/routing/sla/policies/new/").status_code == 403


def test_it_shows_the_case_panel(client, world, policy, clock) -> None:
    ticket = testing.make_ticket(team=world.support, customer=world.customer, subject="Panel", text="a")
    login(client, "anna")
    response = client.get(f"/routing/panel/{ticket.number}/")
    assert response.status_code == 200 and "Support standard" in response.content.decode()
    login(client, "olga")
    assert client.get(f"/routing/panel/{ticket.number}/").status_code == 404
    login(client, "anna")
    case = client.get(f"/cases/{ticket.number}/").content.decode()
    assert f"/routing/panel/{ticket.number}/" in case


def test_it_lists_many_due_cases_in_few_queries(client, world, policy, clock, django_assert_max_num_queries) -> None:
    for n in range(12):
        testing.make_ticket(team=world.support, customer=testing.make_customer(f"K{n}"), subject=f"Fall {n}",
                            text=f"Text {n}")
    login(client, "lena")
    with django_assert_max_num_queries(12):
        response = client.get("/routing/sla/", {"hours": "24"})
    assert response.status_code == 200 and "Fall 11" in response.content.decode()


def test_it_shows_the_targets_in_business_hours_as_the_form_asks_for_them(client, world, berlin_calendar) -> None:
    from anliegen.routing import actions

    actions.save_policy(data={"name": "Rückruf", "calendar": berlin_calendar, "team": world.support,
                              "first_response_minutes": 90, "resolution_minutes": 480})
    login(client, "lena")
    text = client.get("/routing/sla/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "<td>1,5</td><td>8</td>" in text and " min<" not in text
    edit = client.get(f"/routing/sla/policies/{SLAPolicy.objects.get(name='Rückruf').pk}/").content.decode()
    assert 'value="1.5' in edit or 'value="1,5' in edit
