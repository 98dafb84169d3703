import random

from anliegen.replies import demo
from anliegen.replies.models import Category, DocVersion, Macro, ProcessDoc, Signature, StandardReply
from anliegen.tickets import demo as base_demo


def test_it_seeds_replies_declines_macros_signatures_and_docs(db):
    base_demo.populate(customers=15, cases=25, seed=3)
    demo.populate(random.Random(3))
    assert StandardReply.objects.count() >= 12
    declines = StandardReply.objects.filter(category=Category.DECLINE)
    assert declines.count() >= 3
    for reply in declines:
        assert set(reply.variants.values_list("language", flat=True)) == {"de", "da", "en"}
    assert Macro.objects.count() >= 3
    assert Signature.objects.filter(team__isnull=False).exists() and Signature.objects.filter(user__isnull=False).exists()
    assert ProcessDoc.objects.count() == 3 and DocVersion.objects.count() == 4
