"""Configuration read once per mail (or batch of mails) while mail is stored: a change made in
between, or during the batch, is seen by the next mail."""

import pytest

from anliegen.lib import readcache
from anliegen.mail import ingest
from anliegen.mail.ingest import ingest_mail
from anliegen.mail.models import Mailbox
from anliegen.mail.tests.rawmail import make_raw
from anliegen.routing.models import RoutingSettings, Rule
from anliegen.testing import make_team

pytestmark = pytest.mark.django_db


def test_a_rule_changed_during_a_batch_applies_to_the_next_mail(world):
    with readcache.scope():
        ingest_mail(make_raw(sender="a@example.net", subject="Vor der Regel"), source="import")
        Rule.objects.create(position=1, name="Umzug", subject_words="umzug", add_tags="umzug")
        second = ingest_mail(make_raw(sender="b@example.net", subject="Umzug"), source="import")
    assert list(second.ticket.tags.values_list("name", flat=True)) == ["umzug"]


def test_settings_and_own_addresses_are_read_again_after_a_change(world):
    with readcache.scope():
        assert RoutingSettings.load() is RoutingSettings.load()  # read once inside a scope
        settings = RoutingSettings.load()
        settings.repeat_threshold = 7
        settings.save()
        assert RoutingSettings.load().repeat_threshold == 7
        assert not ingest._is_from_ourselves("team@example.net")
        Mailbox.objects.create(name="Team", team=make_team("Team"), address="Team@Example.net")
        assert ingest._is_from_ourselves("team@example.net")
    assert RoutingSettings.load() is not RoutingSettings.load()  # outside a scope: read each time
