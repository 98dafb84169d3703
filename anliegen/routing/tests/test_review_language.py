"""The review's step texts are in the reader's language, as the case history says them."""

from anliegen import testing
from anliegen.accounts.actions import update_preferences
from anliegen.tickets import actions as ticket_actions


def test_it_describes_the_last_step_in_german_and_danish(client, world, second_level) -> None:
    ticket = testing.make_ticket(team=world.support, customer=world.customer, subject="Komplex", text="Komplex")
    ticket_actions.escalate_ticket(ticket=ticket, reason="Schwierig", actor=world.agent)
    for language, word in (("de", "Eskaliert"), ("da", "Eskaleret")):
        update_preferences(user=world.lead, ui_language=language, availability=world.lead.availability)
        client.force_login(world.lead)
        text = client.get("/routing/review/").content.decode()
        assert f"Anna: {word}:" in text, language
        assert "escalated level" not in text and "first → second" not in text
