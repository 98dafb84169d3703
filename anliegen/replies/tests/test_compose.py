import pytest

from anliegen import testing
from anliegen.replies import actions
from anliegen.replies.compose import compose, customer_language
from anliegen.replies.tests.helpers import make_reply


@pytest.fixture
def danish_ticket(world):
    customer = testing.make_customer("Mette Nielsen", email="mette@example.dk", language="da")
    return testing.make_ticket(team=world.support, customer=customer, subject="Regning",
                               text="Hej, I har trukket beløbet to gange.")


def test_it_answers_in_the_customers_language(world, danish_ticket):
    reply = make_reply(world.lead)
    composed = compose(reply=reply, ticket=danish_ticket, agent=world.agent)
    assert composed.language == "da" and not composed.fallback and composed.note == ""
    assert composed.text.startswith("Kære Mette Nielsen")
    assert danish_ticket.number in composed.text


def test_it_falls_back_to_the_teams_default_language_and_says_so(world, danish_ticket):
    reply = make_reply(world.lead, texts={"de": "Guten Tag {{ customer.name }}", "en": "Hello"})
    composed = compose(reply=reply, ticket=danish_ticket, agent=world.agent)
    assert composed.fallback and composed.language == "de" and composed.wanted == "da"
    assert "Dansk" in composed.note and "Deutsch" in composed.note
    assert composed.text == "Guten Tag Mette Nielsen"


def test_it_uses_any_variant_when_the_default_language_is_missing_too(world, danish_ticket):
    reply = make_reply(world.lead, texts={"en": "Hello {{ customer.name }}"})
    composed = compose(reply=reply, ticket=danish_ticket, agent=world.agent)
    assert composed.language == "en" and composed.fallback and "English" in composed.note


def test_it_prefers_the_customer_over_the_detected_case_language(world, danish_ticket):
    danish_ticket.language = "en"
    assert customer_language(danish_ticket) == "da"
    danish_ticket.customer.preferred_language = ""
    assert customer_language(danish_ticket) == "en"
    danish_ticket.language = ""
    assert customer_language(danish_ticket) == world.support.default_language


def test_it_appends_the_agents_and_the_teams_signature_in_the_same_language(world, danish_ticket):
    actions.save_signature(actor=world.agent, user=world.agent, language="da", text="Venlig hilsen\n{{ agent.name }}")
    actions.save_signature(actor=world.lead, team=world.support, language="da", text="{{ team.name }}")
    actions.save_signature(actor=world.lead, team=world.support, language="de", text="Ihr Support")
    composed = compose(reply=make_reply(world.lead), ticket=danish_ticket, agent=world.agent)
    assert composed.text.endswith(f"Venlig hilsen\n{world.agent}\n\n{world.support.name}")
    assert "Ihr Support" not in composed.text
