import pytest

from anliegen.replies import actions
from anliegen.replies.models import Category, ReplyVariant, StandardReply
from anliegen.replies.tests.helpers import TEXTS, make_reply


def test_it_creates_a_reply_with_its_language_variants(world):
    reply = make_reply(world.lead, group="Rechnung", category=Category.DECLINE)
    assert reply.updated_by == world.lead and reply.category == "decline"
    assert dict(ReplyVariant.objects.filter(reply=reply).values_list("language", "text")) == TEXTS


def test_it_changes_and_removes_variants(world):
    reply = make_reply(world.lead)
    actions.save_reply(actor=world.lead, reply=reply, name="Neu", variants={"de": "Hallo", "da": ""})
    reply.refresh_from_db()
    assert reply.name == "Neu"
    assert list(reply.variants.values_list("language", "text")) == [("de", "Hallo")]


def test_it_refuses_unknown_variables_naming_the_field(world):
    with pytest.raises(actions.ReplyError) as caught:
        make_reply(world.lead, texts={"de": "Hallo {{ kunde.name }}"})
    assert caught.value.field == "text_de" and "{{ kunde.name }}" in str(caught.value)
    assert not StandardReply.objects.exists()


def test_it_refuses_a_reply_without_name_or_text(world):
    with pytest.raises(actions.ReplyError):
        make_reply(world.lead, name="  ")
    with pytest.raises(actions.ReplyError):
        make_reply(world.lead, texts={"de": "  "})
    assert not StandardReply.objects.exists()


def test_it_archives_a_reply(world):
    reply = make_reply(world.lead)
    actions.archive_reply(actor=world.lead, reply=reply)
    assert not StandardReply.objects.get(pk=reply.pk).active
