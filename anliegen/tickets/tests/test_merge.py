"""The merge form: it names the target case and its customer before anything moves, and
refuses cases of another customer."""

from django.urls import reverse

from anliegen.testing import make_ticket
from anliegen.tickets.models import Event, Message, Status, Ticket


def test_it_shows_the_target_and_its_customer_before_merging(anna, world):
    target = make_ticket(team=world.support, customer=world.customer, subject="Router noch immer tot")
    url = reverse("tickets:merge", args=[world.ticket.number])
    response = anna.post(url, {"target": target.number})
    assert response.status_code == 200
    assert response.context["merge_target"] == target
    assert "Router noch immer tot" in response.text and "Erika Mustermann" in response.text
    assert 'name="confirmed"' in response.text
    world.ticket.refresh_from_db()
    assert world.ticket.merged_into is None  # nothing moved yet
    assert not Event.objects.filter(kind="merged").exists()

    response = anna.post(url, {"target": target.number, "confirmed": "on"})
    assert response.status_code == 302
    assert response["Location"] == reverse("tickets:case", args=[target.number])
    world.ticket.refresh_from_db()
    assert world.ticket.merged_into == target and world.ticket.status == Status.CLOSED
    assert Message.objects.filter(ticket=target).count() == 2


def test_it_refuses_to_merge_cases_of_different_customers(anna, world):
    theirs = make_ticket(team=world.support, customer=world.other_customer, subject="Router")
    url = reverse("tickets:merge", args=[world.ticket.number])
    for data in ({"target": theirs.number}, {"target": theirs.number, "confirmed": "on"}):
        response = anna.post(url, data)
        assert response.status_code == 400
        error = response.context["merge_form"].errors["target"][0]
        assert "Erika Mustermann" in error and "Jens Hansen" in error
        assert "cannot be merged" in error
    assert Ticket.objects.get(pk=world.ticket.pk).merged_into is None
    assert Message.objects.filter(ticket=theirs).count() == 1
    assert Message.objects.filter(ticket=world.ticket).count() == 1
