from io import StringIO

from django.core.management import call_command

from anliegen import testing
from anliegen.replies import actions
from anliegen.replies.models import SuggestionModel
from anliegen.replies.tasks import retrain_suggestions
from anliegen.replies.tests.helpers import make_reply


def test_it_says_when_there_is_too_little_to_learn(world):
    out = StringIO()
    call_command("train_suggestions", stdout=out)
    assert "Too few picks" in out.getvalue() and not SuggestionModel.objects.exists()


def test_it_trains_on_picks(world):
    replies = [make_reply(world.lead, f"Antwort {i}", texts={"de": f"Text {i}"}) for i in range(2)]
    for i in range(10):
        ticket = testing.make_ticket(team=world.support, customer=world.customer, text=f"Frage {i}")
        actions.record_pick(reply=replies[i % 2], ticket=ticket, user=world.agent)
    out = StringIO()
    call_command("train_suggestions", stdout=out)
    assert "Learnt from 10 picks." in out.getvalue()
    assert SuggestionModel.objects.get().picks == 10


def test_the_periodic_task_trains_too(world):
    assert retrain_suggestions.call() == 0
