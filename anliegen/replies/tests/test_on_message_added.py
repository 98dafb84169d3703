"""The message_added hook detects the language of customers' messages."""

from anliegen import testing
from anliegen.customers.actions import create_customer
from anliegen.tickets import actions as ticket_actions
from anliegen.tickets.models import Message, Ticket

DANISH = "Hej, jeg har stadig ikke modtaget min refusion, selvom I lovede den i sidste uge."
DANISH_2 = "Jeg venter fortsat på pengene. Hvornår kommer de?"
ENGLISH = "Hello, I still have not received my refund although you promised it last week."


def new_customer(language: str = ""):
    return create_customer(name="Kim Holm", emails=["kim@example.dk"], preferred_language=language)


def test_it_stores_the_language_on_the_message_the_case_and_a_new_customer(world):
    customer = new_customer()
    ticket = testing.make_ticket(team=world.support, customer=customer, subject="Refusion", text=DANISH)
    message = Message.objects.get(ticket=ticket)
    assert message.language == "da"
    assert Ticket.objects.get(pk=ticket.pk).language == "da" and ticket.language == "da"
    customer.refresh_from_db()
    assert customer.preferred_language == "da"


def test_it_keeps_a_language_given_by_the_caller(world):
    ticket = testing.make_ticket(team=world.support, customer=new_customer(), text=DANISH, language="de")
    assert Message.objects.get(ticket=ticket).language == "de"


def test_it_does_not_overwrite_the_cases_language(world):
    ticket = testing.make_ticket(team=world.support, customer=new_customer(), text=DANISH)
    ticket_actions.add_customer_message(ticket=ticket, customer=ticket.customer, text=ENGLISH)
    assert list(Message.objects.filter(ticket=ticket).values_list("language", flat=True)) == ["da", "en"]
    assert Ticket.objects.get(pk=ticket.pk).language == "da"


def test_it_changes_the_customers_language_only_when_recent_messages_agree(world):
    customer = new_customer(language="de")
    ticket = testing.make_ticket(team=world.support, customer=customer, text=DANISH)
    customer.refresh_from_db()
    assert customer.preferred_language == "de"  # one Danish mail is not enough
    ticket_actions.add_customer_message(ticket=ticket, customer=customer, text=DANISH_2)
    customer.refresh_from_db()
    assert customer.preferred_language == "da"


def test_it_does_not_detect_replies_or_notes(world):
    message = ticket_actions.add_reply(ticket=world.ticket, author=world.agent, text="Hej, tak for din besked.")
    note = ticket_actions.add_note(ticket=world.ticket, author=world.agent, text="Kunden er dansk, tror jeg.")
    assert Message.objects.get(pk=note.pk).language == ""
    assert Message.objects.get(pk=message.pk).language == world.ticket.language


def test_it_leaves_messages_without_words_alone(world):
    ticket = testing.make_ticket(team=world.support, customer=new_customer(), subject="#4711",
                                 text="+49 30 1234567")
    assert Message.objects.get(ticket=ticket).language == ""
    assert Ticket.objects.get(pk=ticket.pk).language == ""
