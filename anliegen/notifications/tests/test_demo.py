import random

from anliegen.notifications import demo
from anliegen.notifications.models import Kind, Notification
from anliegen.tickets import demo as ground


def test_it_seeds_teams_sparring_on_hard_cases(db):
    ground.populate(customers=30, cases=60, seed=3)
    demo.populate(random.Random(3))
    mentions = Notification.objects.filter(kind=Kind.MENTION).select_related("recipient", "actor")
    pairs = {(n.actor.username, n.recipient.username) for n in mentions}
    assert ("tom", "katrin") in pairs and ("katrin", "tom") in pairs  # across teams, asked and answered
    assert ("anna", "lena") in pairs
    assert mentions.filter(read_at__isnull=True).count() == mentions.count() > 4
