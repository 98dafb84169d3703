"""Every view and API route × every persona.

The URL patterns are enumerated from the resolver, so a view added later is covered without
editing this file: a case-scoped view (one with a `number` argument) must show a case only to
those who may see it; every staff view must refuse anonymous visitors and customers; lead
views must refuse agents; portal views must show a customer only their own cases."""

from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from anliegen.testing import PASSWORD

# Views anyone may open (sign-in pages, the public web form, the API schema, static helpers).
PUBLIC = {
    "accounts:login", "accounts:logout", "set_language", "api:openapi-json", "favicon",
}
PUBLIC_PREFIXES = ("portal:",)  # the portal has its own sign-in; checked separately below
STAFF_PERSONAS = ["agent", "teammate", "outsider", "confidential_member", "lead"]


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    params: tuple[str, ...]


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> list[Route]:
    routes = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}{entry.namespace}:"
            routes += _walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and entry.name:
            params = tuple(entry.pattern.converters.keys()) if hasattr(entry.pattern, "converters") else ()
            routes.append(Route(f"{namespace}{entry.name}", prefix + str(entry.pattern), params))
    return routes


def all_routes() -> list[Route]:
    return [r for r in _walk(get_resolver()) if not r.name.startswith("api:")]


def _url(route: Route, **values: str) -> str:
    import re

    path = route.pattern
    for name in route.params:
        path = re.sub(rf"<(?:\w+:)?{name}>", str(values[name]), path)
    path = path.replace("^", "").replace("$", "")
    return "/" + path.lstrip("/")


CASE_ROUTES = [r for r in all_routes() if r.params == ("number",) and not r.name.startswith("portal:")]
STAFF_ROUTES_WITHOUT_PARAMS = [
    r for r in all_routes()
    if not r.params and r.name not in PUBLIC and not r.name.startswith(PUBLIC_PREFIXES)
]


def login(client, world, persona: str) -> None:
    user = getattr(world, persona)
    assert client.login(username=user.username, password=PASSWORD)


def refused(client, url: str, get_status: int, persona: str) -> None:
    # A POST-only view answers GET with 405 whoever asks, which reveals nothing; the POST
    # itself must not find the case.
    post_status = client.post(url, {}).status_code
    assert get_status in (403, 404, 405), f"{persona} GET {url} → {get_status}"
    assert post_status in (403, 404, 405), f"{persona} POST {url} → {post_status}"
    assert {get_status, post_status} & {403, 404}, f"{persona} {url}: neither GET nor POST refused"


def allowed(status: int) -> bool:
    # 200 page, 302 after a POST or to a canonical page, 400 bad form data, 405 wrong method.
    return status in (200, 302, 400, 405)


@pytest.mark.parametrize("route", CASE_ROUTES, ids=lambda r: r.name)
def test_it_shows_a_team_case_only_to_its_team_and_the_lead(client, world, route):
    url = _url(route, number=world.ticket.number)
    assert client.get(url).status_code in (302, 401, 403, 404), "anonymous"
    for persona in STAFF_PERSONAS:
        client.logout()
        login(client, world, persona)
        status = client.get(url).status_code
        if persona in ("agent", "teammate", "lead"):
            assert allowed(status), f"{persona} GET {url} → {status}"
        else:
            refused(client, url, status, persona)


@pytest.mark.parametrize("route", CASE_ROUTES, ids=lambda r: r.name)
def test_it_shows_a_confidential_case_only_to_members_and_the_lead(client, world, route):
    url = _url(route, number=world.confidential_ticket.number)
    for persona in STAFF_PERSONAS:
        client.logout()
        login(client, world, persona)
        status = client.get(url).status_code
        if persona in ("confidential_member", "lead"):
            assert allowed(status), f"{persona} GET {url} → {status}"
        else:
            refused(client, url, status, persona)


@pytest.mark.parametrize("route", CASE_ROUTES, ids=lambda r: r.name)
def test_it_answers_404_for_a_case_that_does_not_exist(client, world, route):
    login(client, world, "lead")
    for number in ("A-999999", "nonsense"):
        statuses = {client.get(_url(route, number=number)).status_code,
                    client.post(_url(route, number=number), {}).status_code}
        assert statuses <= {404, 405} and 404 in statuses


@pytest.mark.parametrize("route", STAFF_ROUTES_WITHOUT_PARAMS, ids=lambda r: r.name)
def test_it_refuses_staff_pages_to_anonymous_visitors(client, world, route):
    response = client.get(_url(route))
    assert response.status_code in (302, 401, 403, 404), f"{route.name} → {response.status_code}"
    if response.status_code == 302:
        assert "/login" in response["Location"]


def test_the_matrix_covers_the_workspace():
    names = {r.name for r in CASE_ROUTES}
    assert {"tickets:case", "tickets:reply", "tickets:note", "tickets:fields"} <= names


API_CASES = ["/api/cases/{number}", "/api/cases/{number}/replies", "/api/cases/{number}/notes",
             "/api/cases/{number}/escalate"]


@pytest.mark.parametrize("path", API_CASES)
def test_it_applies_the_same_rules_to_the_api(client, world, path):
    from anliegen.api.actions import create_token

    for ticket, allowed_personas in ((world.ticket, {"agent", "teammate", "lead"}),
                                     (world.confidential_ticket, {"confidential_member", "lead"})):
        url = path.format(number=ticket.number)
        anonymous = client.get(url) if path.endswith("{number}") else client.post(url, {}, content_type="application/json")
        assert anonymous.status_code == 401
        for persona in STAFF_PERSONAS:
            _token, plain = create_token(user=getattr(world, persona), name="matrix")
            headers = {"HTTP_AUTHORIZATION": f"Bearer {plain}"}
            if path.endswith("{number}"):
                status = client.get(url, **headers).status_code
                assert (status == 200) == (persona in allowed_personas), f"{persona} {url} → {status}"
            else:
                status = client.post(url, {"text": "x", "reason": "y"}, content_type="application/json",
                                     **headers).status_code
                # Allowed personas get their write done; others must not learn the case exists.
                if persona in allowed_personas:
                    assert status in (200, 201, 400), f"{persona} POST {url} → {status}"
                else:
                    assert status == 404, f"{persona} POST {url} → {status}"


# --- The customer portal ----------------------------------------------------------------------

PORTAL_CASE_ROUTES = [r for r in all_routes() if r.name.startswith("portal:") and r.params == ("number",)]
PORTAL_PRIVATE = [r for r in all_routes() if r.name in ("portal:cases", "portal:new")]


def portal_login(client, customer) -> None:
    from anliegen.portal.session import SESSION_KEY

    session = client.session
    session[SESSION_KEY] = customer.pk
    session.save()


@pytest.mark.parametrize("route", PORTAL_CASE_ROUTES, ids=lambda r: r.name)
def test_it_shows_a_customer_only_their_own_cases(client, world, route):
    url = _url(route, number=world.ticket.number)
    anonymous = client.get(url)
    assert anonymous.status_code in (302, 404, 405)
    if anonymous.status_code == 302:
        assert "/portal/login/" in anonymous["Location"]
    # Staff signed in to the workspace are not customers in the portal.
    login(client, world, "lead")
    assert client.get(url).status_code in (302, 404, 405)
    client.logout()
    portal_login(client, world.other_customer)
    refused(client, url, client.get(url).status_code, "other_customer")
    client.logout()
    portal_login(client, world.customer)
    assert allowed(client.get(url).status_code)


@pytest.mark.parametrize("route", PORTAL_CASE_ROUTES, ids=lambda r: r.name)
def test_it_hides_internal_notes_in_the_portal(client, world, route):
    from anliegen.tickets.actions import add_note

    add_note(ticket=world.ticket, author=world.agent, text="Kunde wirkt verärgert, intern")
    portal_login(client, world.customer)
    response = client.get(_url(route, number=world.ticket.number))
    assert "Kunde wirkt verärgert" not in response.content.decode()


@pytest.mark.parametrize("route", PORTAL_PRIVATE, ids=lambda r: r.name)
def test_it_sends_anonymous_visitors_to_the_portal_sign_in(client, world, route):
    response = client.get(_url(route))
    assert response.status_code == 302
    assert "/portal/login/" in response["Location"]


def test_it_lists_only_the_customers_own_cases_in_the_portal(client, world):
    portal_login(client, world.other_customer)
    page = client.get("/portal/").content.decode()
    assert world.other_ticket.number in page
    assert world.ticket.number not in page and world.confidential_ticket.number not in page


def test_it_refuses_customers_in_the_workspace_and_the_api(client, world):
    portal_login(client, world.customer)
    assert client.get(f"/cases/{world.ticket.number}/").status_code == 302
    assert client.get("/api/cases").status_code == 401


# --- Pages for the lead and for administrators ----------------------------------------------

LEAD_PAGES = ["tickets:lead", "routing:rules", "routing:calendar_new", "routing:policy_new"]
ADMIN_PAGES = ["mail:quarantine", "mail:mailboxes", "mail:outgoing", "mail:automatic", "mail:bounces", "accounts:staff",
               "accounts:staff_new", "accounts:teams", "accounts:team_new"]


@pytest.mark.parametrize("name", LEAD_PAGES + ADMIN_PAGES)
def test_it_keeps_management_pages_from_agents(client, world, name):
    from django.urls import reverse

    url = reverse(name)
    for persona in ("agent", "outsider", "confidential_member"):
        client.logout()
        login(client, world, persona)
        assert client.get(url).status_code in (403, 404), f"{persona} {name}"
    client.logout()
    login(client, world, "lead")
    status = client.get(url).status_code
    if name in LEAD_PAGES:
        assert status == 200, f"lead {name} → {status}"
