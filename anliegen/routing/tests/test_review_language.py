"""The review's step texts are in the reader's language, as the case history says them."""

from django.utils import translation

from anliegen import testing
from anliegen.accounts.actions import update_preferences
from anliegen.tickets import actions as ticket_actions
from anliegen.tickets import history


def test_it_describes_the_last_step_in_german_and_danish(client, world, second_level) -> None:
    ticket = testing.make_ticket(team=world.support, customer=world.customer, subject="Komplex", text="Komplex")
    ticket_actions.escalate_ticket(ticket=ticket, reason="Schwierig", actor=world.agent)
    last = ticket.events.order_by("-created_at", "-id").first()
    for language in ("de", "da"):
        with translation.override(language):
            row = history.describe([last])[0]
            expected = f"{row.actor}: {row.label}" + (f": {row.before} → {row.after}" if row.show_change else "")
        update_preferences(user=world.lead, ui_language=language, availability=world.lead.availability)
        client.force_login(world.lead)
        text = client.get("/routing/review/").content.decode()
        assert expected in text, (language, expected)
        assert f"{last.kind} {last.field}:" not in text  # not the raw "escalated level: first → second"
        assert str(row.label) != last.kind
