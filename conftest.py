"""Shared fixtures: the personas every permission test uses.

- agent, teammate: members of the technical support team
- outsider: an agent of the commercial team only
- confidential_member: member of a confidential team (e.g. health claims)
- lead: head of service, sees everything
- customer, other_customer: two customers with a case each
"""

from dataclasses import dataclass

import pytest

from anliegen import testing
from anliegen.accounts.models import Role, Team, TeamKind, User
from anliegen.customers.models import Customer
from anliegen.tickets.models import Ticket


@pytest.fixture(autouse=True)
def _default_language():
    # A request activates its user's language in the thread; without this, a German page in
    # one test would make the next test's mails, notes and messages German.
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _attachment_dir(settings, tmp_path):
    settings.ATTACHMENT_DIR = tmp_path / "attachments"
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    # Hashing test passwords slowly proves nothing and costs seconds per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    support: Team
    commercial: Team
    confidential: Team
    agent: User
    teammate: User
    outsider: User
    confidential_member: User
    lead: User
    customer: Customer
    other_customer: Customer
    ticket: Ticket
    other_ticket: Ticket
    confidential_ticket: Ticket


@pytest.fixture
def world(db) -> World:
    support = testing.make_team("Technischer Support")
    commercial = testing.make_team("Kaufmännischer Support")
    confidential = testing.make_team("Leistungsfälle", confidential=True)
    testing.make_team("Leitung", kind=TeamKind.LEAD)
    agent = testing.make_agent("anna", teams=[support])
    teammate = testing.make_agent("tom", teams=[support])
    outsider = testing.make_agent("olga", teams=[commercial])
    confidential_member = testing.make_agent("carla", teams=[confidential])
    lead = testing.make_agent("lena", role=Role.LEAD)
    customer = testing.make_customer("Erika Mustermann", email="erika@example.org")
    other_customer = testing.make_customer("Jens Hansen", email="jens@example.dk", language="da")
    ticket = testing.make_ticket(team=support, customer=customer, subject="Router startet nicht")
    other_ticket = testing.make_ticket(team=commercial, customer=other_customer, subject="Faktura forkert",
                                       text="Hej, min faktura er forkert.")
    confidential_ticket = testing.make_ticket(team=confidential, customer=customer, subject="Krankenakte",
                                              text="Meine Diagnose ...")
    return World(support, commercial, confidential, agent, teammate, outsider, confidential_member, lead,
                 customer, other_customer, ticket, other_ticket, confidential_ticket)


# --- Browser tests: Playwright driving Debian's Chromium -------------------------------------

import os  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

CHROMIUM = os.environ.get("ANLIEGEN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent / "test-artifacts"


def pytest_collection_modifyitems(config, items):
    # Browser tests drive a real Chromium against a threaded live server; on a loaded machine
    # a page can miss a timeout. Run such a test again before calling it failed.
    for item in items:
        if item.get_closest_marker("browser") and not item.get_closest_marker("flaky"):
            item.add_marker(pytest.mark.flaky(reruns=2, reruns_delay=1))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test itself (setting up data, asserting the database) are still plain synchronous code.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, request) -> Iterator:
    """A factory for extra pages in fresh contexts (a second agent, a customer)."""
    contexts = []

    def make(locale: str = "en-GB"):
        context = browser.new_context(locale=locale, viewport={"width": 1400, "height": 900})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for i, context in enumerate(contexts):
        if failed:
            ARTIFACTS.mkdir(exist_ok=True)
            for j, p in enumerate(context.pages):
                p.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{i}-{j}.png"), full_page=True)
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def login(page, live_server, username: str, password: str = testing.PASSWORD) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
