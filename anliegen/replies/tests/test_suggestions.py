from io import StringIO

from django.core.management import call_command
from django.urls import reverse

from anliegen import testing
from anliegen.replies import actions, suggestions
from anliegen.replies.evaluation import suggestions as evaluation
from anliegen.replies.models import SuggestionModel
from anliegen.replies.tests.helpers import make_reply
from anliegen.testing import PASSWORD


def test_it_ranks_the_fitting_reply_first_without_any_picks(world):
    refund = make_reply(world.lead, keywords="doppelt abgebucht, Erstattung")
    router = make_reply(world.lead, "Router neu starten", texts={"de": "Bitte starten Sie den Router neu."},
                        keywords="Internet geht nicht, Router blinkt")
    ticket = testing.make_ticket(team=world.support, customer=world.customer, subject="Kein Internet",
                                 text="Mein Router blinkt rot, das Internet geht nicht.")
    ranked = suggestions.suggest_for_ticket(ticket, [refund, router])
    assert ranked[0][0] == router


def test_it_learns_from_picks(world):
    replies = [make_reply(world.lead, f"Antwort {i}", texts={"de": f"Text {i}"}) for i in range(3)]
    for i in range(12):
        ticket = testing.make_ticket(team=world.support, customer=world.customer,
                                     text=f"Meine Frage Nummer {i} zum Thema {'Zähler' if i % 2 else 'Tarif'}")
        actions.record_pick(reply=replies[i % 2], ticket=ticket, user=world.agent)
    assert suggestions.retrain() == 12
    model = SuggestionModel.objects.get()
    assert model.picks == 12 and model.classes == 2
    ticket = testing.make_ticket(team=world.support, customer=world.customer, text="Wieder eine Frage zum Zähler")
    assert suggestions.suggest_for_ticket(ticket, replies)[0][0] == replies[1]


def test_it_does_not_train_on_too_few_picks(world):
    assert suggestions.retrain() == 0
    assert not SuggestionModel.objects.exists()


def test_a_lead_retrains_on_demand(client, world):
    client.login(username="lena", password=PASSWORD)
    response = client.post(reverse("replies:retrain"), follow=True)
    assert "Too few picks" in response.text
    client.login(username="anna", password=PASSWORD)
    assert client.post(reverse("replies:retrain")).status_code == 403


def test_top3_accuracy_on_held_out_mails_meets_the_floor():
    """Measured on 64 held-out mails: top-3 98.4% (texts + keywords, with or without picks);
    texts only 85.9% cold, 89.1% after learning the picks."""
    result = evaluation.evaluate()
    assert result.test >= 60 and result.train >= 60
    assert result.cold_top3 >= 0.92
    assert result.learned_top3 >= 0.92
    assert result.learned_top1 >= 0.75
    assert result.bare_learned_top3 >= 0.84
    assert result.bare_learned_top3 >= result.bare_top3  # learning from picks does not make it worse


def test_the_command_prints_the_result():
    out = StringIO()
    call_command("evaluate_suggestions", stdout=out)
    assert "held-out mails" in out.getvalue() and "top-3" in out.getvalue()
