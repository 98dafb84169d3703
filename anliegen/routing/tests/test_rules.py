"""Routing rules applied to new cases: conditions, actions, order, stop, loops bounded."""

from anliegen import testing
from anliegen.customers.models import Organisation
from anliegen.routing import actions
from anliegen.routing.engine import dry_run
from anliegen.routing.models import Rule
from anliegen.tickets.models import Channel, Event, Level, Message, MessageKind


def rule(**data) -> Rule:
    data.setdefault("name", "rule")
    return actions.save_rule(data=data)


def test_it_moves_priority_and_tags_by_words(world) -> None:
    rule(name="Billing words", body_words="rechnung, faktura", set_team=world.commercial, set_priority=3,
         add_tags="billing")
    ticket = testing.make_ticket(team=world.support, customer=world.customer, subject="Frage",
                                 text="Meine Rechnung stimmt nicht.")
    ticket.refresh_from_db()
    assert ticket.team == world.commercial
    assert ticket.priority == 3
    assert list(ticket.tags.values_list("name", flat=True)) == ["billing"]
    moved = Event.objects.get(ticket=ticket, field="team")
    assert moved.actor is None and moved.actor_label == "routing" and "Billing words" in moved.reason


def test_it_leaves_cases_no_rule_matches(world) -> None:
    rule(name="Danish", language="da", set_team=world.commercial)
    ticket = testing.make_ticket(team=world.support, customer=world.customer, language="de")
    ticket.refresh_from_db()
    assert ticket.team == world.support
    assert not Event.objects.filter(ticket=ticket, actor_label="routing").exists()


def test_it_matches_channel_domain_language_and_customer(world) -> None:
    org = Organisation.objects.create(name="Hansen ApS", domain="example.dk")
    world.other_customer.organisation = org
    world.other_customer.customer_since = world.ticket.created_at.date().replace(year=2015)
    world.other_customer.save()
    rule(name="Danish firm calls", channel=Channel.PHONE, sender_domain="example.dk", language="da",
         min_customer_years=5, organisation=org, set_level=Level.SECOND, add_tags="vip")
    ticket = testing.make_ticket(team=world.support, customer=world.other_customer, channel=Channel.PHONE,
                                 language="da", text="Hej", sender="jens@example.dk")
    ticket.refresh_from_db()
    assert ticket.level == Level.SECOND
    assert "vip" in ticket.tags.values_list("name", flat=True)
    by_mail = testing.make_ticket(team=world.support, customer=world.other_customer, channel=Channel.EMAIL,
                                  language="da", text="Hej", sender="jens@example.dk")
    by_mail.refresh_from_db()
    assert by_mail.level == Level.FIRST


def test_it_matches_the_mailbox_and_arrival_team(world) -> None:
    rule(name="Invoices mailbox", mailbox="rechnung@anliegen.example", team=world.support, set_team=world.commercial)
    ticket = testing.make_ticket(team=world.support, customer=world.customer, meta={"mailbox": "Rechnung@anliegen.example"})
    other = testing.make_ticket(team=world.support, customer=world.customer, meta={"mailbox": "info@anliegen.example"})
    ticket.refresh_from_db()
    other.refresh_from_db()
    assert ticket.team == world.commercial
    assert other.team == world.support


def test_it_stops_after_a_rule_that_says_so(world) -> None:
    rule(name="Urgent", subject_words="störung", set_priority=4, stop_processing=True)
    rule(name="Tag all", add_tags="seen")
    ticket = testing.make_ticket(team=world.support, customer=world.customer, subject="Störung seit heute",
                                 text="Nichts geht mehr.")
    ticket.refresh_from_db()
    assert ticket.priority == 4
    assert not ticket.tags.exists()
    plain = testing.make_ticket(team=world.support, customer=world.customer, subject="Frage",
                                text="Wie lange läuft mein Vertrag?")
    assert list(plain.tags.values_list("name", flat=True)) == ["seen"]


def test_it_runs_the_new_teams_rules_after_a_move(world) -> None:
    rule(name="To commercial", body_words="vertrag", set_team=world.commercial)
    rule(name="Commercial tags", team=world.commercial, add_tags="contract")
    ticket = testing.make_ticket(team=world.support, customer=world.customer, text="Mein Vertrag endet.")
    ticket.refresh_from_db()
    assert ticket.team == world.commercial
    assert list(ticket.tags.values_list("name", flat=True)) == ["contract"]


def test_it_assigns_and_reports_what_it_could_not_do(world) -> None:
    rule(name="Confidential to outsider", team=world.confidential, set_assignee=world.outsider)
    ticket = testing.make_ticket(team=world.confidential, customer=world.customer)
    ticket.refresh_from_db()
    assert ticket.assignee is None
    note = Message.objects.get(ticket=ticket, kind=MessageKind.NOTE)
    assert "could not be applied" in note.text and "confidential" in note.text
    rule(name="Support to tom", team=world.support, set_assignee=world.teammate)
    assigned = testing.make_ticket(team=world.support, customer=world.customer)
    assigned.refresh_from_db()
    assert assigned.assignee == world.teammate


def test_it_cannot_loop_even_with_stored_looping_rules(world) -> None:
    # Bypass the validation on purpose, as if the rules had been stored before it existed.
    Rule.objects.create(position=1, name="A to B", team=world.support, set_team=world.commercial)
    Rule.objects.create(position=2, name="B to A", team=world.commercial, set_team=world.support)
    ticket = testing.make_ticket(team=world.support, customer=world.customer)
    ticket.refresh_from_db()
    assert ticket.team == world.commercial
    assert Event.objects.filter(ticket=ticket, field="team").count() == 1
    note = Message.objects.get(ticket=ticket, kind=MessageKind.NOTE)
    assert "avoid a loop" in note.text


def test_it_dry_runs_condition_by_condition(world) -> None:
    first = rule(name="Danish", language="da", set_team=world.commercial)
    second = rule(name="Router words", subject_words="router", add_tags="router")
    results, matched = dry_run(world.ticket)  # "Router startet nicht", German, support
    assert matched == second
    by_rule = {r.rule.pk: r for r in results}
    assert not by_rule[first.pk].matched
    assert [(c.label, c.matched) for c in by_rule[first.pk].conditions] == [("language", False)]
    assert by_rule[second.pk].conditions[0].actual == "router"
    # The case itself is unchanged by the dry run.
    world.ticket.refresh_from_db()
    assert not world.ticket.tags.exists()
