"""Every view and API route × every persona × read and write.

The URL patterns are enumerated from the resolver, so a view added later is covered without
editing this file: a case-scoped view (one with a `number` argument) must show a case only to
those who may see it (GET, the read column) and change it only for those who may change it
(POST, the write column); every staff view must refuse anonymous visitors and customers; a
view guarded by role_required must refuse everyone without the role with 403; portal views
must show a customer only their own cases.

The personas (conftest.world, plus two here):
- agent, teammate: the support team, whose case world.ticket is: read and write;
- receptionist: took the call that opened world.ticket: read only (phone.access);
- outsider (another team), confidential_member (the confidential team): neither;
- lead: every team's cases except a confidential team's, which only its members see;
- admin: as the lead.
world.confidential_ticket: read and write for confidential_member alone (the receptionist
took a call on it too, which opens nothing: a read grant never opens a confidential case)."""

import re
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.urls import URLPattern, URLResolver, get_resolver


# Views anyone may open (sign-in pages, the public web form, the API schema, static helpers).
PUBLIC = {
    "accounts:login", "accounts:logout", "set_language", "api:openapi-json", "favicon",
}
PUBLIC_PREFIXES = ("portal:",)  # the portal has its own sign-in; checked separately below
STAFF_PERSONAS = ["agent", "teammate", "receptionist", "outsider", "confidential_member", "lead", "admin"]
# POSTs that change nothing of the case: the presence heartbeat only says "I have it open".
READ_POSTS = {"tickets:presence"}
# Who has each role of role_required, among the personas.
ROLE_HOLDERS = {"lead": {"lead", "admin"}, "admin": {"admin"}, "second_level": {"lead", "admin"}}


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    params: tuple[str, ...]
    role: str | None = None  # the role its view requires (accounts.permissions.role_required)


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
            routes.append(Route(f"{namespace}{entry.name}", prefix + str(entry.pattern), params,
                                getattr(entry.callback, "required_role", None)))
    return routes


def all_routes() -> list[Route]:
    return [r for r in _walk(get_resolver()) if not r.name.startswith("api:")]


def _url(route: Route, **values: str) -> str:
    path = route.pattern
    for name in route.params:
        path = re.sub(rf"<(?:\w+:)?{name}>", str(values.get(name, "999999")), path)
    path = path.replace("^", "").replace("$", "")
    return "/" + path.lstrip("/")


CASE_ROUTES = [r for r in all_routes() if r.params == ("number",) and not r.name.startswith("portal:")]
# Case routes with a second argument (an outbox row, a standard reply): the case is checked
# first, so whoever may not see or change it is refused before the row is looked up.
CASE_ITEM_ROUTES = [r for r in all_routes() if len(r.params) > 1 and r.params[0] == "number"
                    and not r.name.startswith("portal:")]
STAFF_ROUTES_WITHOUT_PARAMS = [
    r for r in all_routes()
    if not r.params and r.name not in PUBLIC and not r.name.startswith(PUBLIC_PREFIXES)
]


@pytest.fixture
def personas(world):
    """world's personas and the two this module adds, with the receptionist's calls logged."""
    from anliegen import testing
    from anliegen.accounts.models import Role, TeamKind
    from anliegen.phone.actions import log_call

    reception = testing.make_team("Empfang", kind=TeamKind.RECEPTION)
    receptionist = testing.make_agent("rita", teams=[reception])
    admin = testing.make_agent("ada", role=Role.ADMIN)
    for ticket in (world.ticket, world.confidential_ticket):
        log_call(actor=receptionist, number="+4930901820", text="Ruft wegen des Falls an.", customer=ticket.customer,
                 ticket=ticket)
    return SimpleNamespace(**vars(world), receptionist=receptionist, admin=admin, reception=reception)


def login(client, world, persona: str) -> None:
    client.logout()
    client.force_login(getattr(world, persona))


def refused(client, url: str, get_status: int, persona: str) -> None:
    # A POST-only view answers GET with 405 whoever asks, which reveals nothing; the POST
    # itself must not find the case.
    post_status = client.post(url, {}).status_code
    assert get_status in (403, 404, 405), f"{persona} GET {url} → {get_status}"
    assert post_status in (403, 404, 405), f"{persona} POST {url} → {post_status}"
    assert {get_status, post_status} & {403, 404}, f"{persona} {url}: neither GET nor POST refused"


def allowed(status: int) -> bool:
    # 200 page, 204 done, 302 after a POST or to a canonical page, 400 bad form data, 405 wrong method.
    return status in (200, 204, 302, 400, 405)


def expected(route: Route, persona: str, *, reads: set[str], writes: set[str]) -> tuple[set, set]:
    """The statuses GET (read) and POST (write) may answer for this persona."""
    role = route.role
    if role is not None and persona not in ROLE_HOLDERS[role]:
        return {403}, {403}  # role_required refuses before the case is looked up
    if persona not in reads:
        return {404, 405}, {404, 405}  # as if the case did not exist
    read = {200, 204, 302, 400, 405}
    if persona in writes or route.name in READ_POSTS:
        return read, {200, 204, 302, 400, 405}
    return read, {403, 405}  # they may read it, so the refusal may say why


def check(client, personas, route: Route, ticket, *, reads: set[str], writes: set[str]) -> None:
    url = _url(route, number=ticket.number)
    for persona in STAFF_PERSONAS:
        login(client, personas, persona)
        get_ok, post_ok = expected(route, persona, reads=reads, writes=writes)
        get_status = client.get(url).status_code
        post_status = client.post(url, {}).status_code
        assert get_status in get_ok, f"{persona} GET (read) {url} → {get_status}, expected one of {get_ok}"
        assert post_status in post_ok, f"{persona} POST (write) {url} → {post_status}, expected one of {post_ok}"
        if persona not in reads:
            assert {get_status, post_status} & {403, 404}, f"{persona} {url}: neither GET nor POST refused"


TEAM_CASE = dict(reads={"agent", "teammate", "receptionist", "lead", "admin"}, writes={"agent", "teammate", "lead", "admin"})
CONFIDENTIAL_CASE = dict(reads={"confidential_member"}, writes={"confidential_member"})


@pytest.mark.parametrize("route", CASE_ROUTES, ids=lambda r: r.name)
def test_it_shows_a_case_to_its_readers_and_changes_it_only_for_its_writers(client, personas, route):
    assert client.get(_url(route, number=personas.ticket.number)).status_code in (302, 401, 403, 404), "anonymous"
    check(client, personas, route, personas.ticket, **TEAM_CASE)
    check(client, personas, route, personas.confidential_ticket, **CONFIDENTIAL_CASE)


@pytest.mark.parametrize("route", CASE_ITEM_ROUTES, ids=lambda r: r.name)
def test_it_checks_the_case_before_the_item(client, personas, route):
    for ticket, rule in ((personas.ticket, TEAM_CASE), (personas.confidential_ticket, CONFIDENTIAL_CASE)):
        url = _url(route, number=ticket.number)
        for persona in STAFF_PERSONAS:
            login(client, personas, persona)
            statuses = {client.get(url).status_code, client.post(url, {}).status_code}
            if persona not in rule["reads"]:
                assert statuses <= {404, 405}, f"{persona} {url} → {statuses}"
            elif persona not in rule["writes"] and route.name not in READ_POSTS:
                # compose (GET) prepares a reply and pick (POST) records one: both are writes.
                assert 403 in statuses and statuses <= {403, 405}, f"{persona} {url} → {statuses}"


@pytest.mark.parametrize("route", CASE_ROUTES, ids=lambda r: r.name)
def test_it_answers_404_for_a_case_that_does_not_exist(client, personas, route):
    login(client, personas, "lead")
    for number in ("A-999999", "nonsense", "A-99999999999999999999999"):
        url = _url(route, number=number)
        if route.role:
            continue
        statuses = {client.get(url).status_code, client.post(url, {}).status_code}
        assert statuses <= {404, 405} and 404 in statuses


@pytest.mark.parametrize("route", STAFF_ROUTES_WITHOUT_PARAMS, ids=lambda r: r.name)
def test_it_refuses_staff_pages_to_anonymous_visitors(client, world, route):
    response = client.get(_url(route))
    assert response.status_code in (302, 401, 403, 404), f"{route.name} → {response.status_code}"
    if response.status_code == 302:
        assert "/login" in response["Location"]


ROLE_ROUTES = [r for r in all_routes() if r.role is not None]


@pytest.mark.parametrize("route", ROLE_ROUTES, ids=lambda r: r.name)
def test_it_opens_role_pages_only_to_the_role_with_one_status_code(client, personas, route):
    url = _url(route, number=personas.ticket.number, slug=personas.support.slug, direction="up")
    role = route.role
    for persona in ("agent", "confidential_member", "lead", "admin"):
        login(client, personas, persona)
        statuses = {client.get(url).status_code, client.post(url, {}).status_code}
        if persona in ROLE_HOLDERS[role]:
            assert 403 not in statuses, f"{persona} {url} → {statuses}"
        else:  # 405 for the wrong method of a POST-only page, which reveals nothing
            assert 403 in statuses and statuses <= {403, 405}, f"{persona} {url} → {statuses}"


def test_the_matrix_covers_the_workspace():
    names = {r.name for r in CASE_ROUTES}
    assert {"tickets:case", "tickets:reply", "tickets:note", "tickets:fields"} <= names
    assert {"tickets:lead", "mail:quarantine", "routing:rules", "routing:review"} <= {r.name for r in ROLE_ROUTES}


@pytest.mark.parametrize("persona", STAFF_PERSONAS)
def test_it_opens_a_queue_only_to_those_who_see_the_team(client, personas, persona):
    login(client, personas, persona)
    support = client.get(f"/queues/{personas.support.slug}/").status_code
    confidential = client.get(f"/queues/{personas.confidential.slug}/").status_code
    assert support == (200 if persona in {"agent", "teammate", "lead", "admin"} else 404)
    assert confidential == (200 if persona == "confidential_member" else 404)


@pytest.mark.parametrize("persona", STAFF_PERSONAS)
def test_it_serves_an_attachment_only_to_readers_of_its_case(client, personas, persona):
    from anliegen.tickets.models import AccessLog, Attachment
    from anliegen.tickets.storage import IncomingFile

    def attach(ticket):
        from anliegen.tickets.actions import add_customer_message

        add_customer_message(ticket=ticket, customer=ticket.customer, text="Anbei.",
                             attachments=[IncomingFile(filename="befund.pdf", content_type="application/pdf",
                                                       data=b"%PDF-1.4 x")])
        return Attachment.objects.filter(message__ticket=ticket).latest("id")

    team_file, confidential_file = attach(personas.ticket), attach(personas.confidential_ticket)
    login(client, personas, persona)
    for item, readers in ((team_file, TEAM_CASE["reads"]), (confidential_file, CONFIDENTIAL_CASE["reads"])):
        before = AccessLog.objects.filter(ticket_id=item.message.ticket_id, via="attachment").count()
        status = client.get(f"/attachments/{item.pk}/").status_code
        after = AccessLog.objects.filter(ticket_id=item.message.ticket_id, via="attachment").count()
        assert status == (200 if persona in readers else 404), f"{persona} {item.filename} → {status}"
        assert after - before == (1 if persona in readers else 0)


API_READS = ["/api/cases/{number}"]
API_WRITES = ["/api/cases/{number}/replies", "/api/cases/{number}/notes", "/api/cases/{number}/escalate"]


@pytest.mark.parametrize("path", API_READS + API_WRITES + ["PATCH /api/cases/{number}"])
def test_it_applies_the_same_rules_to_the_api(client, personas, path):
    from anliegen.api.actions import create_token

    method, _space, path = path.rpartition(" ")
    method = method or ("GET" if path in API_READS else "POST")
    for ticket, rule in ((personas.ticket, TEAM_CASE), (personas.confidential_ticket, CONFIDENTIAL_CASE)):
        url = path.format(number=ticket.number)
        body = {"text": "x", "reason": "y"} if method == "POST" else {"priority": 3}
        send = {"GET": client.get, "POST": client.post, "PATCH": client.patch}[method]
        kwargs = {} if method == "GET" else {"data": body, "content_type": "application/json"}
        assert send(url, **kwargs).status_code == 401
        for persona in STAFF_PERSONAS:
            _token, plain = create_token(user=getattr(personas, persona), name="matrix")
            status = send(url, HTTP_AUTHORIZATION=f"Bearer {plain}", **kwargs).status_code
            if persona not in rule["reads"]:
                assert status == 404, f"{persona} {method} {url} → {status}"
            elif method == "GET":
                assert status == 200, f"{persona} {method} {url} → {status}"
            elif persona in rule["writes"]:
                assert status in (200, 201, 400), f"{persona} {method} {url} → {status}"
            else:
                assert status == 403, f"{persona} {method} {url} → {status}"


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
