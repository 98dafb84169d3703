from django.urls import reverse

from anliegen.testing import PASSWORD
from anliegen.tickets.models import Event, MessageKind


def test_it_shows_a_case_and_takes_a_reply(client, world):
    client.login(username="anna", password=PASSWORD)
    response = client.get(reverse("tickets:queue", args=[world.support.slug]))
    assert response.status_code == 200
    assert world.ticket.number in response.text
    response = client.get(reverse("tickets:case", args=[world.ticket.number]))
    assert response.status_code == 200
    assert "Router startet nicht" in response.text
    response = client.post(reverse("tickets:reply", args=[world.ticket.number]), {"text": "Bitte neu starten."})
    assert response.status_code == 302
    assert world.ticket.messages.filter(kind=MessageKind.REPLY, text="Bitte neu starten.").exists()
    assert Event.objects.filter(ticket=world.ticket, kind="replied").exists()


def test_it_hides_other_teams_cases(client, world):
    client.login(username="olga", password=PASSWORD)
    assert client.get(reverse("tickets:case", args=[world.ticket.number])).status_code == 404
    assert client.get(reverse("tickets:queue", args=[world.support.slug])).status_code == 404


def test_it_searches(client, world):
    client.login(username="anna", password=PASSWORD)
    response = client.get(reverse("tickets:search"), {"q": "Router"})
    assert world.ticket.number in response.text
    response = client.get(reverse("tickets:search"), {"q": "faktura"})
    assert world.other_ticket.number not in response.text


def test_it_finds_a_word_in_another_form_once_the_language_is_known(client, world):
    # No language given: it is detected before the message is stored, and the message is
    # indexed as German, so "Rechnung" finds "Rechnungen" (stemming; on SQLite, prefix match).
    from anliegen import testing

    case = testing.make_ticket(team=world.support, subject="Abbuchung",
                               text="Guten Tag, meine beiden letzten Rechnungen wurden doppelt abgebucht. "
                                    "Bitte prüfen Sie das und erstatten Sie mir den Betrag zurück.")
    case.refresh_from_db()
    assert case.language == "de"
    client.login(username="anna", password=PASSWORD)
    response = client.get(reverse("tickets:search"), {"q": "Rechnung"})
    assert case.number in response.text
