"""move_message: one message moves to another case with its history; both cases record it."""

import pytest

from anliegen import testing
from anliegen.tickets import actions
from anliegen.tickets.actions import ActionError
from anliegen.tickets.models import Event, Message, Ticket


def test_it_moves_one_message_and_records_it_on_both_cases(world):
    source = world.ticket
    target = testing.make_ticket(team=world.support, customer=source.customer, subject="Andere Sache")
    message = actions.add_customer_message(ticket=source, customer=source.customer, text="Gehört zur anderen Sache.")
    note = actions.add_note(ticket=source, author=world.agent, text="Bleibt hier.")
    before = Ticket.objects.get(pk=source.pk).message_count

    actions.move_message(message=message, target=target, actor=world.agent, reason="falscher Fall")

    assert Message.objects.get(pk=message.pk).ticket_id == target.pk
    assert Message.objects.get(pk=note.pk).ticket_id == source.pk
    assert Ticket.objects.get(pk=source.pk).message_count == before - 1
    assert Ticket.objects.get(pk=target.pk).message_count == 2
    for case in (source, target):
        event = Event.objects.get(ticket=case, kind="message_moved")
        assert (event.before, event.after, event.reason, event.actor) == (
            source.number, target.number, "falscher Fall", world.agent)


def test_it_refuses_to_move_the_first_message_or_onto_the_same_case(world):
    first = Message.objects.filter(ticket=world.ticket).order_by("created_at", "id").first()
    other = testing.make_ticket(team=world.support, customer=world.ticket.customer, subject="Andere Sache")
    with pytest.raises(ActionError, match="first message"):
        actions.move_message(message=first, target=other, actor=world.agent, reason="x")
    with pytest.raises(ActionError, match="already"):
        actions.move_message(message=first, target=world.ticket, actor=world.agent, reason="x")
    assert Message.objects.get(pk=first.pk).ticket_id == world.ticket.pk
    assert not Event.objects.filter(kind="message_moved").exists()
