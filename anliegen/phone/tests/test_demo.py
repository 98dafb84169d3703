import random

from anliegen.phone import demo
from anliegen.phone.models import Callback, CallbackStatus
from anliegen.tickets import demo as base_demo
from anliegen.tickets.models import Channel, Message


def test_it_adds_calls_and_open_callbacks_to_the_demo(db):
    base_demo.populate(customers=30, cases=40, seed=7)
    calls_before = Message.objects.filter(channel=Channel.PHONE, meta__has_key="call").count()
    demo.populate(random.Random(7))
    assert Message.objects.filter(channel=Channel.PHONE, meta__has_key="call").count() == calls_before + 8
    assert Callback.objects.filter(status=CallbackStatus.OPEN, kind="callback").count() >= 4
    assert Callback.objects.filter(outcome="retry").count() >= 1
    assert Callback.objects.filter(status=CallbackStatus.OPEN, reminded_at__isnull=False).exists()


def test_it_does_nothing_without_base_data(db):
    demo.populate(random.Random(1))
    assert not Callback.objects.exists()
