import pytest

from anliegen.api.actions import create_token
from anliegen.tickets.models import AccessLog, Message, MessageKind, Ticket


@pytest.fixture
def bearer(world):
    _token, plain = create_token(user=world.agent, name="CRM")
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def test_it_refuses_without_a_token(client, world):
    response = client.get("/api/cases")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_it_refuses_a_revoked_token(client, world):
    from anliegen.api.actions import revoke_token

    token, plain = create_token(user=world.agent, name="old")
    revoke_token(token=token)
    assert client.get("/api/cases", HTTP_AUTHORIZATION=f"Bearer {plain}").status_code == 401


def test_it_lists_only_visible_cases(client, world, bearer):
    response = client.get("/api/cases", **bearer)
    assert response.status_code == 200
    numbers = {c["number"] for c in response.json()["items"]}
    assert world.ticket.number in numbers
    assert world.other_ticket.number not in numbers
    assert world.confidential_ticket.number not in numbers


def test_it_reads_a_case_and_logs_the_read(client, world, bearer):
    response = client.get(f"/api/cases/{world.ticket.number}", **bearer)
    assert response.status_code == 200
    assert response.json()["messages"][0]["text"].startswith("Guten Tag")
    assert AccessLog.objects.filter(ticket=world.ticket, user=world.agent, via="api").exists()


def test_it_hides_other_teams_cases(client, world, bearer):
    response = client.get(f"/api/cases/{world.other_ticket.number}", **bearer)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert client.get("/api/cases/A-999999", **bearer).status_code == 404
    assert client.get("/api/cases/nonsense", **bearer).status_code == 404


def test_it_creates_a_case(client, world, bearer):
    response = client.post("/api/cases", {"subject": "Neue Rechnung", "text": "Bitte prüfen",
                                          "customer_email": "new@example.org", "team": world.support.slug},
                           content_type="application/json", **bearer)
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(subject="Neue Rechnung")
    assert ticket.customer.primary_email == "new@example.org"


def test_it_refuses_a_team_the_caller_cannot_see(client, world, bearer):
    response = client.post("/api/cases", {"subject": "x", "text": "y", "customer_email": "a@example.org",
                                          "team": world.commercial.slug},
                           content_type="application/json", **bearer)
    assert response.status_code == 400
    assert "Unknown team" in response.json()["detail"]


def test_it_validates_input(client, world, bearer):
    response = client.post("/api/cases", {"subject": ""}, content_type="application/json", **bearer)
    assert response.status_code == 422
    assert response.json()["errors"]


def test_it_replies_and_updates(client, world, bearer):
    number = world.ticket.number
    response = client.post(f"/api/cases/{number}/replies", {"text": "Bitte neu starten"},
                           content_type="application/json", **bearer)
    assert response.status_code == 201
    assert Message.objects.filter(ticket=world.ticket, kind=MessageKind.REPLY).count() == 1
    response = client.patch(f"/api/cases/{number}", {"status": "solved", "priority": 3, "tags_add": ["router"]},
                            content_type="application/json", **bearer)
    assert response.status_code == 200
    assert response.json()["status"] == "solved"
    world.ticket.refresh_from_db()
    assert world.ticket.priority == 3
    response = client.patch(f"/api/cases/{number}", {"status": "bogus"}, content_type="application/json", **bearer)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "payload", "status"]


def test_it_escalates_with_a_reason(client, world, bearer):
    number = world.ticket.number
    response = client.post(f"/api/cases/{number}/escalate", {"reason": ""}, content_type="application/json",
                           **bearer)
    assert response.status_code == 422
    response = client.post(f"/api/cases/{number}/escalate", {"reason": "Dritter Kontakt"},
                           content_type="application/json", **bearer)
    assert response.status_code == 200
    assert response.json()["level"] == "second"


def test_it_serves_the_openapi_document(client, world):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert "/api/cases" in response.json()["paths"]


def test_it_shows_customers_only_with_a_visible_case(client, world, bearer):
    assert client.get(f"/api/customers/{world.customer.pk}", **bearer).status_code == 200
    assert client.get(f"/api/customers/{world.other_customer.pk}", **bearer).status_code == 404


def test_it_manages_tokens_in_the_browser(client, world):
    from anliegen.testing import PASSWORD

    client.login(username="anna", password=PASSWORD)
    response = client.post("/accounts/api-tokens/", {"name": ""})
    assert "Give the token a name" in response.text
    response = client.post("/accounts/api-tokens/", {"name": "CRM"})
    assert "anl_" in response.text


def test_a_refused_patch_leaves_case_and_history_untouched(client, world, bearer):
    before = list(world.ticket.events.values_list("id", flat=True))
    response = client.patch(f"/api/cases/{world.ticket.number}",
                            {"status": "solved", "priority": 4, "team": "no-such-team"},
                            content_type="application/json", **bearer)
    assert response.status_code == 400
    assert response.json() == {"detail": "Unknown team: no-such-team"}
    world.ticket.refresh_from_db()
    assert (world.ticket.status, world.ticket.priority, world.ticket.team) == ("new", 2, world.support)
    assert list(world.ticket.events.values_list("id", flat=True)) == before


def test_a_patch_changes_every_field_with_one_event_each(client, world, bearer):
    response = client.patch(f"/api/cases/{world.ticket.number}",
                            {"status": "pending", "priority": 3, "assignee": "tom", "tags_add": ["router"]},
                            content_type="application/json", **bearer)
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["assignee"], response.json()["tags"]) == (
        "pending", "tom", ["router"])
    assert sorted(world.ticket.events.exclude(kind="created").values_list("field", flat=True)) == [
        "assignee", "priority", "status", "tags"]


def test_the_api_assigns_by_the_same_rule_as_the_workspace(client, world, bearer):
    # Olga works in commercial support only: giving her a support case would hand her its content.
    response = client.patch(f"/api/cases/{world.ticket.number}", {"assignee": "olga", "priority": 3},
                            content_type="application/json", **bearer)
    assert response.status_code == 400
    assert response.json()["detail"] == "Olga is not a member of Technischer Support and cannot be assigned its cases."
    world.ticket.refresh_from_db()
    assert (world.ticket.assignee, world.ticket.priority) == (None, 2)
    response = client.patch(f"/api/cases/{world.ticket.number}", {"assignee": "nobody-here"},
                            content_type="application/json", **bearer)
    assert (response.status_code, response.json()["detail"]) == (400, "Unknown user: nobody-here")
    response = client.patch(f"/api/cases/{world.ticket.number}", {"assignee": "lena"},
                            content_type="application/json", **bearer)
    assert (response.status_code, response.json()["assignee"]) == (200, "lena")


# --- Bad input: a 4xx with a JSON message, never a 500 ------------------------------------------

def _new_case(**fields) -> dict:
    return {"subject": "Rechnung", "text": "Bitte prüfen", "customer_email": "neu@example.org",
            "team": "technischer-support", **fields}


@pytest.mark.parametrize("priority", [-1, 0, 5, 99, 2**63, 2**70])
def test_it_refuses_a_priority_out_of_range_in_the_schema(client, world, bearer, priority):
    response = client.post("/api/cases", _new_case(priority=priority), content_type="application/json", **bearer)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "payload", "priority"]
    response = client.patch(f"/api/cases/{world.ticket.number}", {"priority": priority},
                            content_type="application/json", **bearer)
    assert response.status_code == 422
    assert not Ticket.objects.filter(subject="Rechnung").exists()
    world.ticket.refresh_from_db()
    assert world.ticket.priority == 2


@pytest.mark.parametrize("body", ["[1, 2]", '"solved"', "4", "null", "{not json", "\xff"])
def test_it_refuses_a_body_that_is_not_one_json_object(client, world, bearer, body):
    response = client.patch(f"/api/cases/{world.ticket.number}", body.encode("latin-1"),
                            content_type="application/json", **bearer)
    assert response.status_code == 400
    assert response.json()["detail"].startswith("The request body ")
    assert not world.ticket.events.exclude(kind="created").exists()


def test_it_refuses_a_body_over_the_limit_with_413(client, world, bearer, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    response = client.post("/api/cases", _new_case(text="x" * (1024 * 1024 + 1)),
                           content_type="application/json", **bearer)
    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is larger than 1 MB."}
    assert not Ticket.objects.filter(subject="Rechnung").exists()


@pytest.mark.parametrize("customer_id", [0, -5, 2**63, 2**64])
def test_it_refuses_a_customer_id_no_row_can_have(client, world, bearer, customer_id):
    for url in (f"/api/customers/{customer_id}", f"/api/customers/{customer_id}/cases"):
        response = client.get(url, **bearer)
        assert response.status_code == 422, url
        assert response.json()["errors"][0]["loc"] == ["path", "customer_id"]
    assert client.get(f"/api/customers/{2**63 - 1}/cases", **bearer).json() == []


def test_it_refuses_unknown_values_and_lists_the_allowed_ones(client, world, bearer):
    response = client.post("/api/cases", _new_case(channel="fax"), content_type="application/json", **bearer)
    assert response.status_code == 422
    number = world.ticket.number
    response = client.post(f"/api/cases/{number}/escalate", {"reason": "x", "level": "boss"},
                           content_type="application/json", **bearer)
    assert response.status_code == 422
    response = client.get(f"/api/customers/{world.customer.pk}/cases?limit=0", **bearer)
    assert response.status_code == 422
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]
    assert schema["CaseUpdate"]["properties"]["priority"]["anyOf"][0] == {
        "type": "integer", "minimum": 1, "maximum": 4, "description": "1 low, 2 normal, 3 high, 4 urgent"}


def test_the_schemas_allowed_values_are_the_models_choices():
    from typing import get_args

    from anliegen.api import schemas
    from anliegen.tickets.models import Channel, Level, Priority, Status

    assert list(get_args(schemas.StatusName)) == Status.values
    assert list(get_args(schemas.ChannelName)) == Channel.values
    assert list(get_args(schemas.LevelName)) == Level.values
    assert Priority.values == [1, 2, 3, 4]
