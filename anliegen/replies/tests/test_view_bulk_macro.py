from django.urls import reverse

from anliegen import testing
from anliegen.replies.tests.helpers import make_macro, make_reply
from anliegen.testing import PASSWORD
from anliegen.tickets.models import Message, MessageKind, Status, Ticket


def test_it_applies_a_macro_to_the_selected_cases(client, world):
    macro = make_macro(world.lead, make_reply(world.lead), status=Status.SOLVED, add_tags=["erstattung"])
    second = testing.make_ticket(team=world.support, customer=world.customer)
    client.login(username="anna", password=PASSWORD)
    assert client.get(reverse("replies:bulk_macro")).status_code == 200
    numbers = [world.ticket.number, second.number, world.other_ticket.number]
    response = client.post(reverse("replies:bulk_macro"), {"macro": macro.pk, "tickets": numbers})
    # The reply goes to customers: first the reply, the changes and the number of cases.
    assert response.status_code == 200
    assert "A reply will be sent to the customers of 2 cases" in response.text
    assert "Send the reply and apply to 2 cases" in response.text
    assert "Status → Solved" in response.text and "Add tags: erstattung" in response.text
    assert "wir erstatten den doppelten Betrag" in response.text
    assert not Message.objects.filter(kind=MessageKind.REPLY).exists()
    response = client.post(reverse("replies:bulk_macro"), {"macro": macro.pk, "tickets": numbers, "confirm": "1"})
    assert response.status_code == 200
    assert "was applied to 2 cases" in response.text
    assert f"{world.other_ticket.number}: There is no case" in response.text
    for ticket in (world.ticket, second):
        assert Ticket.objects.get(pk=ticket.pk).status == Status.SOLVED
        assert Message.objects.filter(ticket=ticket, kind=MessageKind.REPLY).count() == 1
    assert not Message.objects.filter(ticket=world.other_ticket, kind=MessageKind.REPLY).exists()


def test_it_takes_numbers_as_text(client, world):
    macro = make_macro(world.lead, None, name="Dringend", priority=4)
    client.login(username="anna", password=PASSWORD)
    response = client.post(reverse("replies:bulk_macro"), {"macro": macro.pk, "numbers": f"{world.ticket.number}, "})
    assert response.status_code == 200
    assert Ticket.objects.get(pk=world.ticket.pk).priority == 4


def test_bad_input_gets_clear_messages(client, world):
    client.login(username="anna", password=PASSWORD)
    response = client.post(reverse("replies:bulk_macro"), {"macro": "", "numbers": ""})
    assert response.status_code == 400 and "Choose a macro." in response.text
    macro = make_macro(world.lead, None, name="Dringend", priority=4)
    response = client.post(reverse("replies:bulk_macro"), {"macro": macro.pk, "numbers": ""})
    assert response.status_code == 400 and "Select at least one case." in response.text
    response = client.post(reverse("replies:bulk_macro"), {"macro": macro.pk, "numbers": "A-999999 kaputt"})
    assert response.status_code == 400 and "There is no case A-999999" in response.text


def test_ticked_cases_from_a_queue_arrive_prefilled(client, world):
    client.login(username="anna", password=PASSWORD)
    queue = client.get(reverse("tickets:queue", args=[world.support.slug]))
    assert reverse("replies:bulk_macro") in queue.text
    response = client.post(reverse("replies:bulk_macro"), {"tickets": [world.ticket.number], "choose_macro": ""})
    assert response.status_code == 200 and world.ticket.number in response.text
    assert not Message.objects.filter(ticket=world.ticket, kind=MessageKind.REPLY).exists()
