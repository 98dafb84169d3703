import datetime
from types import SimpleNamespace

from anliegen.replies.rendering import Context, find_variables, format_date, render_text


def context(**kwargs):
    customer = SimpleNamespace(name="Jens Hansen", primary_email="jens@example.dk", organisation=None,
                               customer_since=datetime.date(2019, 5, 1))
    team = SimpleNamespace(name="Support", email="support@anliegen.example")
    ticket = SimpleNamespace(number="A-100042", subject="Faktura forkert", status="open", priority=3,
                             created_at=datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC), team=team)
    agent = SimpleNamespace(first_name="Anna", email="anna@anliegen.example", __str__=lambda self: "Anna")
    values = {"language": "da", "customer": customer, "ticket": ticket, "agent": agent, "team": team,
              "today": datetime.date(2026, 11, 23)}
    values.update(kwargs)
    return Context(**values)


def test_it_fills_the_known_variables():
    text = "Kære {{ customer.name }}, sag {{case.number}} ({{ case.priority }}) – {{ date.in_7_days }}, {{ team.name }}"
    rendered = render_text(text, context())
    assert rendered.text == "Kære Jens Hansen, sag A-100042 (høj) – 30. november 2026, Support"
    assert rendered.unknown == ()
    assert "customer.name" in rendered.used


def test_it_leaves_unknown_variables_as_written_and_reports_them():
    rendered = render_text("Hej {{ customer.nmae }} {{ kunde }} {{ customer.name }}", context())
    assert rendered.text == "Hej {{ customer.nmae }} {{ kunde }} Jens Hansen"
    assert rendered.unknown == ("customer.nmae", "kunde")


def test_it_never_runs_template_code():
    text = "{% load static %}{{ customer.name|upper }} {{ settings.SECRET_KEY }} {{ customer.__class__ }}"
    rendered = render_text(text, context())
    assert rendered.text == text  # nothing evaluated, nothing removed
    assert set(rendered.unknown) == {"customer.name|upper", "settings.SECRET_KEY", "customer.__class__"}


def test_it_does_not_expand_variables_inside_customer_data():
    evil = SimpleNamespace(name="{{ agent.email }}", primary_email="", organisation=None, customer_since=None)
    rendered = render_text("Hello {{ customer.name }}", context(customer=evil, language="en"))
    assert rendered.text == "Hello {{ agent.email }}"


def test_it_uses_a_neutral_word_when_the_name_is_missing():
    nameless = SimpleNamespace(name="", primary_email="", organisation=None, customer_since=None)
    assert render_text("Dear {{ customer.name }}", context(customer=nameless, language="en")).text == "Dear customer"


def test_it_writes_dates_the_way_each_language_does():
    day = datetime.date(2026, 3, 5)
    assert format_date(day, "de") == "5. März 2026"
    assert format_date(day, "da") == "5. marts 2026"
    assert format_date(day, "en") == "5 March 2026"


def test_it_lists_known_and_unknown_variables():
    assert find_variables("{{ case.number }} {{ nope }} {{ case.number }}") == (["case.number"], ["nope"])
