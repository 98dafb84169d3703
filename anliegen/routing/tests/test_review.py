"""The weekly second-level review: list, CSV, outcomes recorded on the case."""

import csv
import datetime
import io

from anliegen import testing
from anliegen.routing.models import ReviewEntry
from anliegen.tickets import actions as ticket_actions
from anliegen.tickets.models import Level, Status


def login(client, username: str) -> None:
    assert client.login(username=username, password=testing.PASSWORD)


def escalated(world, subject: str = "Komplex"):
    ticket = testing.make_ticket(team=world.support, customer=world.customer, subject=subject, text=subject)
    ticket_actions.escalate_ticket(ticket=ticket, reason="Schwierig", actor=world.agent)
    return ticket


def test_it_lists_second_level_and_quality_care_cases(client, world, second_level) -> None:
    case = escalated(world)
    world.customer.customer_since = datetime.date(2010, 1, 1)
    world.customer.save()
    qc = testing.make_ticket(team=world.support, customer=world.customer, subject="Beschwerde Wartezeit",
                             text="Unzumutbar lange Wartezeit.")
    login(client, "lena")
    text = client.get("/routing/review/").content.decode()
    assert case.number in text and qc.number in text and "Quality-Care" in text
    assert "Schwierig" in text  # last step
    assert world.other_ticket.number not in text
    login(client, "sven")  # a second-level agent sees his team's cases
    assert qc.number in client.get("/routing/review/").content.decode()
    login(client, "anna")
    assert client.get("/routing/review/").status_code == 403


def test_it_exports_csv(client, world, second_level) -> None:
    case = escalated(world, subject="=HYPERLINK(1)")
    login(client, "lena")
    response = client.get("/routing/review/", {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "Case"
    row = next(r for r in rows if r[0] == case.number)
    assert row[1] == "'=HYPERLINK(1)" and row[4] == "Second level"


def test_it_records_an_outcome_on_the_case(client, world, second_level) -> None:
    case = escalated(world)
    login(client, "lena")
    prefix = f"r{case.pk}"
    response = client.post(f"/routing/review/{case.number}/", {f"{prefix}-outcome": "continue",
                                                               f"{prefix}-next_step": "Techniker schicken"})
    assert response.status_code == 302
    entry = ReviewEntry.objects.get()
    assert entry.next_step == "Techniker schicken" and entry.author == world.lead
    assert case.messages.filter(kind="note", text__contains="Techniker schicken").exists()
    assert "Techniker schicken" in client.get("/routing/review/").content.decode()
    client.post(f"/routing/review/{case.number}/", {f"{prefix}-outcome": "lead", f"{prefix}-next_step": ""})
    case.refresh_from_db()
    assert case.level == Level.LEAD
    client.post(f"/routing/review/{case.number}/", {f"{prefix}-outcome": "solved"})
    case.refresh_from_db()
    assert case.status == Status.SOLVED
    response = client.post(f"/routing/review/{case.number}/", {f"{prefix}-outcome": "nonsense"})
    assert response.status_code == 302 and ReviewEntry.objects.count() == 3


def test_it_hides_cases_from_reviewers_who_may_not_see_them(client, world, second_level) -> None:
    login(client, "sven")
    assert client.post(f"/routing/review/{world.confidential_ticket.number}/",
                       {f"r{world.confidential_ticket.pk}-outcome": "continue"}).status_code == 404


def test_it_lists_many_cases_in_few_queries(client, world, second_level, django_assert_max_num_queries) -> None:
    for n in range(12):
        escalated(world, subject=f"Fall {n}")
    login(client, "lena")
    with django_assert_max_num_queries(20):
        response = client.get("/routing/review/")
    assert response.status_code == 200 and "Fall 11" in response.content.decode()
