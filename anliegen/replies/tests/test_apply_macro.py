import pytest

from anliegen import testing
from anliegen.replies import actions
from anliegen.replies.models import ReplyPick
from anliegen.replies.tests.helpers import make_macro, make_reply
from anliegen.tickets.actions import ActionError
from anliegen.tickets.models import Event, Message, MessageKind, Priority, Status, Ticket


@pytest.fixture
def macro(world):
    reply = make_reply(world.lead)
    return make_macro(world.lead, reply, status=Status.SOLVED, priority=Priority.HIGH, add_tags=["Erstattung"],
                      remove_tags=["offen"])


def test_it_sends_the_reply_and_changes_the_case_in_one_go(world, macro):
    customer = testing.make_customer("Jens Jensen", email="jj@example.dk", language="da")
    ticket = testing.make_ticket(team=world.support, customer=customer, text="Hej, I har trukket to gange.",
                                 tags=["offen"])
    message = actions.apply_macro(macro=macro, ticket=ticket, actor=world.agent)
    assert message.kind == MessageKind.REPLY and message.language == "da"
    assert message.text.startswith("Kære Jens Jensen") and ticket.number in message.text
    assert message.meta == {"standard_reply": macro.reply_id, "macro": macro.pk,
                            "delivery": {"channel": "email", "to": "jj@example.dk"}}
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.status == Status.SOLVED and ticket.priority == Priority.HIGH
    assert list(ticket.tags.values_list("name", flat=True)) == ["erstattung"]
    kinds = set(Event.objects.filter(ticket=ticket, actor=world.agent).values_list("kind", flat=True))
    assert {"replied", "status", "priority", "tagged"} <= kinds
    assert ReplyPick.objects.get(ticket=ticket).via == "macro"


def test_it_moves_the_case_to_another_team(world):
    macro = make_macro(world.lead, None, name="An den Vertrieb", team=world.commercial)
    assert actions.apply_macro(macro=macro, ticket=world.ticket, actor=world.agent) is None
    assert Ticket.objects.get(pk=world.ticket.pk).team == world.commercial
    assert not Message.objects.filter(ticket=world.ticket, kind=MessageKind.REPLY).exists()


def test_bulk_applies_to_each_case_and_reports_failures(world):
    macro = make_macro(world.lead, None, name="Wieder öffnen", status=Status.OPEN, priority=Priority.HIGH)
    second = testing.make_ticket(team=world.support, customer=world.customer)
    merged = testing.make_ticket(team=world.support, customer=world.customer)
    from anliegen.tickets.actions import merge_tickets

    merge_tickets(source=merged, target=second, actor=world.agent)
    result = actions.apply_macro_bulk(macro=macro, tickets=[world.ticket, second, merged], actor=world.agent)
    assert result.done == [world.ticket.number, second.number]
    assert list(result.failed) == [merged.number]
    assert Ticket.objects.get(pk=world.ticket.pk).priority == Priority.HIGH
    assert Ticket.objects.get(pk=merged.pk).priority == Priority.NORMAL


def test_it_refuses_a_macro_that_does_nothing(world):
    with pytest.raises(actions.ReplyError):
        make_macro(world.lead, None, name="Leer")


def test_a_failing_macro_changes_nothing(world, macro):
    ticket = testing.make_ticket(team=world.support, customer=world.customer)
    other = testing.make_ticket(team=world.support, customer=world.customer)
    from anliegen.tickets.actions import merge_tickets

    merge_tickets(source=ticket, target=other, actor=world.agent)  # closed and merged: cannot reopen
    reopen = make_macro(world.lead, None, name="Wieder öffnen", status=Status.OPEN, priority=Priority.URGENT)
    with pytest.raises(ActionError):
        actions.apply_macro(macro=reopen, ticket=ticket, actor=world.agent)
    assert Ticket.objects.get(pk=ticket.pk).priority == Priority.NORMAL
