from django.urls import reverse

from anliegen.customers.models import Customer
from anliegen.lib.onetime import new_form_token
from anliegen.tickets.models import Channel, Event, MessageKind, Priority, Ticket

URL = "/cases/new/"
TOKEN = new_form_token()


def _data(world, **changes):
    data = {"customer_email": "neu@example.org", "customer_name": "Nina Neu", "subject": "Brief wegen Umzug",
            "text": "Die Kundin zieht um und möchte den Vertrag mitnehmen.", "team": str(world.support.pk),
            "channel": Channel.PHONE, "priority": str(Priority.HIGH), "form_token": TOKEN}
    data.update(changes)
    return data


def test_the_url_name_is_tickets_new(world):
    assert reverse("tickets:new") == URL


def test_it_offers_only_the_agents_teams(anna, world):
    response = anna.get(URL)
    assert response.status_code == 200
    assert world.support.name in response.text
    assert world.commercial.name not in response.text.split('name="team"')[1].split("</select>")[0]
    assert response.context["form"].initial["form_token"]


def test_it_opens_a_case_for_a_new_customer(anna, world):
    response = anna.post(URL, _data(world))
    ticket = Ticket.objects.get(subject="Brief wegen Umzug")
    assert response.status_code == 302
    assert response["Location"] == reverse("tickets:case", args=[ticket.number])
    assert (ticket.team, ticket.channel, ticket.priority) == (world.support, Channel.PHONE, Priority.HIGH)
    customer = Customer.objects.get(emails__address="neu@example.org")
    assert customer.name == "Nina Neu" and ticket.customer == customer
    first = ticket.messages.get()
    assert first.kind == MessageKind.INBOUND and first.meta["entered_by"] == world.agent.pk
    assert Event.objects.get(ticket=ticket, kind="created").actor == world.agent


def test_it_finds_a_known_customer_by_address(anna, world):
    anna.post(URL, _data(world, customer_email="  ERIKA@Example.org ", customer_name="Jemand anders"))
    ticket = Ticket.objects.get(subject="Brief wegen Umzug")
    assert ticket.customer == world.customer
    world.customer.refresh_from_db()
    assert world.customer.name == "Erika Mustermann"


def test_it_explains_bad_input_next_to_the_fields(anna, world):
    response = anna.post(URL, _data(world, customer_email="keine-adresse", subject="", text="",
                                    team=str(world.commercial.pk), channel="fax", priority="9"))
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["customer_email"] == ["Enter a valid e-mail address."]
    assert form.errors["subject"] == ["Give the case a short subject."]
    assert form.errors["text"] == ["Describe the customer's concern."]
    assert form.errors["team"] == ["Choose one of your teams."]
    assert set(form.errors) >= {"channel", "priority"}
    assert "Enter a valid e-mail address." in response.text
    assert not Ticket.objects.filter(subject="").exists()
    assert not Customer.objects.filter(emails__address="keine-adresse").exists()


def test_it_opens_one_case_when_the_form_is_sent_twice(anna, world):
    first = anna.post(URL, _data(world), follow=True)
    second = anna.post(URL, _data(world), follow=True)
    assert Ticket.objects.filter(subject="Brief wegen Umzug").count() == 1
    assert "was opened" in first.text
    assert "stored once" in second.text
    anna.post(URL, _data(world, form_token=new_form_token()))
    assert Ticket.objects.filter(subject="Brief wegen Umzug").count() == 2


def test_a_forged_token_is_refused_and_the_form_offers_a_fresh_one(anna, world):
    response = anna.post(URL, _data(world, form_token="a" * 32))
    assert response.status_code == 400
    assert "This form has expired" in response.text
    assert response.context["form"].data["form_token"] != "a" * 32
    assert not Ticket.objects.filter(subject="Brief wegen Umzug").exists()


def test_a_lead_may_open_a_case_in_any_team(lena, world):
    response = lena.post(URL, _data(world, team=str(world.confidential.pk)))
    assert response.status_code == 302
    assert Ticket.objects.get(subject="Brief wegen Umzug").team == world.confidential
