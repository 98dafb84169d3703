import pytest
from django.urls import reverse

from anliegen import testing
from anliegen.replies.models import ReplyPick
from anliegen.replies.tests.helpers import make_macro, make_reply
from anliegen.testing import PASSWORD
from anliegen.tickets.models import Message, MessageKind, Status, Ticket


@pytest.fixture
def danish_ticket(world):
    customer = testing.make_customer("Mette Nielsen", email="mette@example.dk", language="da")
    return testing.make_ticket(team=world.support, customer=customer, subject="Beløb trukket to gange",
                               text="Hej, I har trukket mit abonnement to gange denne måned.")


def test_the_panel_lists_replies_with_suggestions_for_the_customers_language(client, world, danish_ticket):
    fitting = make_reply(world.lead)
    make_reply(world.lead, "Router neu starten", texts={"de": "Bitte starten Sie den Router neu."})
    make_reply(world.lead, "Nur Vertrieb", texts={"de": "x"}, team=world.commercial)
    client.login(username="anna", password=PASSWORD)
    response = client.get(reverse("replies:panel", args=[danish_ticket.number]), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'data-customer-language>da<' in response.text
    assert "Nur Vertrieb" not in response.text  # another team's reply
    first = response.text.index("picker-item")
    assert response.text.index(fitting.name, first) < response.text.index("Router neu starten", first)
    assert "replies/picker.js" in response.text


def test_the_preview_shows_the_danish_variant(client, world, danish_ticket):
    reply = make_reply(world.lead)
    client.login(username="anna", password=PASSWORD)
    response = client.get(reverse("replies:compose", args=[danish_ticket.number, reply.pk]))
    assert response.status_code == 200
    assert "Kære Mette Nielsen" in response.text and danish_ticket.number in response.text
    assert "data-picker-note" not in response.text


def test_the_preview_says_when_it_falls_back(client, world, danish_ticket):
    reply = make_reply(world.lead, texts={"de": "Guten Tag {{ customer.name }}"})
    client.login(username="anna", password=PASSWORD)
    response = client.get(reverse("replies:compose", args=[danish_ticket.number, reply.pk]))
    assert "Guten Tag Mette Nielsen" in response.text
    assert "There is no Dansk variant" in response.text


def test_picks_are_recorded_for_the_latest_customer_message(client, world, danish_ticket):
    reply = make_reply(world.lead)
    client.login(username="anna", password=PASSWORD)
    response = client.post(reverse("replies:pick", args=[danish_ticket.number, reply.pk]), {"language": "da"})
    assert response.status_code == 204
    pick = ReplyPick.objects.get()
    assert (pick.reply, pick.ticket, pick.user, pick.language) == (reply, danish_ticket, world.agent, "da")
    assert pick.message == Message.objects.get(ticket=danish_ticket, kind=MessageKind.INBOUND)


def test_outsiders_get_404(client, world, danish_ticket):
    reply = make_reply(world.lead)
    client.login(username="olga", password=PASSWORD)
    assert client.get(reverse("replies:panel", args=[danish_ticket.number])).status_code == 404
    assert client.get(reverse("replies:compose", args=[danish_ticket.number, reply.pk])).status_code == 404
    assert client.post(reverse("replies:pick", args=[danish_ticket.number, reply.pk])).status_code == 404
    assert not ReplyPick.objects.exists()


def test_the_case_view_loads_the_panel(client, world, danish_ticket):
    client.login(username="anna", password=PASSWORD)
    response = client.get(reverse("tickets:case", args=[danish_ticket.number]))
    assert reverse("replies:panel", args=[danish_ticket.number]) in response.text
    assert 'id="id_reply_text"' in response.text


def test_a_macro_is_applied_from_the_case_view(client, world, danish_ticket):
    macro = make_macro(world.lead, make_reply(world.lead), status=Status.SOLVED)
    client.login(username="anna", password=PASSWORD)
    panel = client.get(reverse("replies:panel", args=[danish_ticket.number]))
    assert macro.name in panel.text
    url = reverse("replies:apply_macro", args=[danish_ticket.number])
    # First the reply and the changes, to confirm: nothing is sent yet.
    response = client.post(url, {"macro": macro.pk})
    assert response.status_code == 200
    assert "This reply will be sent to the customer" in response.text
    assert "Kære Mette Nielsen" in response.text and "Status → Solved" in response.text
    assert not Message.objects.filter(ticket=danish_ticket, kind=MessageKind.REPLY).exists()
    assert Ticket.objects.get(pk=danish_ticket.pk).status != Status.SOLVED
    response = client.post(url, {"macro": macro.pk, "confirm": "1"})
    assert response.status_code == 302
    assert Ticket.objects.get(pk=danish_ticket.pk).status == Status.SOLVED
    reply = Message.objects.get(ticket=danish_ticket, kind=MessageKind.REPLY)
    assert reply.text.startswith("Kære Mette Nielsen") and reply.author_user == world.agent


def test_a_macro_without_a_reply_applies_at_once(client, world, danish_ticket):
    macro = make_macro(world.lead, None, name="Dringend", priority=4)
    client.login(username="anna", password=PASSWORD)
    response = client.post(reverse("replies:apply_macro", args=[danish_ticket.number]), {"macro": macro.pk})
    assert response.status_code == 302
    assert Ticket.objects.get(pk=danish_ticket.pk).priority == 4


def test_a_missing_macro_is_a_clear_message(client, world, danish_ticket):
    client.login(username="anna", password=PASSWORD)
    response = client.post(reverse("replies:apply_macro", args=[danish_ticket.number]), {"macro": "x"},
                           follow=True)
    assert "Choose a macro." in response.text
    assert not Message.objects.filter(ticket=danish_ticket, kind=MessageKind.REPLY).exists()


def test_the_panel_needs_a_fixed_number_of_queries(client, world, danish_ticket, django_assert_max_num_queries):
    for i in range(12):
        make_reply(world.lead, f"Antwort {i}")
        make_macro(world.lead, None, name=f"Makro {i}", priority=3)
    client.login(username="anna", password=PASSWORD)
    url = reverse("replies:panel", args=[danish_ticket.number])
    client.get(url)  # warm the ranker cache
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
