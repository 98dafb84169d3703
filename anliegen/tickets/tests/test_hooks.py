"""The hook registry: functions of one event run by their order, and the installed apps keep
the written contract (tickets/hooks.py): routing decides first, mail delivers last."""

from email.header import decode_header, make_header

import pytest

from anliegen.mail import outbound
from anliegen.mail.ingest import ingest_mail
from anliegen.mail.models import Mailbox, Outbox, OutboxKind
from anliegen.mail.tests.rawmail import make_raw
from anliegen.routing import handlers
from anliegen.routing.models import Rule
from anliegen.tickets import hooks


@pytest.fixture
def scratch_hook():
    name = "sample_event_for_tests"
    yield name
    hooks._hooks.pop(name, None)


def test_it_runs_functions_by_their_order_then_as_registered(scratch_hook):
    ran = []
    late = lambda **kw: ran.append("late")
    first = lambda **kw: ran.append("first")
    second = lambda **kw: ran.append("second")
    hooks.register(scratch_hook, late, order=hooks.DELIVER)
    hooks.register(scratch_hook, first)
    hooks.register(scratch_hook, second)
    hooks.register(scratch_hook, first, order=hooks.DECIDE)  # registered once only
    hooks.fire(scratch_hook)
    assert ran == ["first", "second", "late"]


@pytest.mark.parametrize("event, decides, delivers", [
    ("ticket_created", handlers.on_ticket_created, outbound.queue_acknowledgement),
    ("reply_added", handlers.on_reply_added, outbound.queue_reply),
])
def test_routing_decides_before_mail_delivers(event, decides, delivers):
    functions = hooks.registered(event)
    assert functions.index(decides) < functions.index(delivers)
    assert functions[-1] is delivers


@pytest.mark.django_db
def test_the_acknowledgement_is_written_for_the_team_routing_chose(world):
    """Mail is installed before routing; without the order the acknowledgement would be written
    while the case still sat in the team it arrived at."""
    mailbox = Mailbox.objects.create(name="Support", team=world.support, address="support@anliegen.example",
                                     send_acknowledgement=True)
    Rule.objects.create(position=1, name="Rechnungen", subject_words="rechnung", set_team=world.commercial)
    result = ingest_mail(make_raw(sender="max@example.net", to=mailbox.address, subject="Rechnung doppelt",
                                  message_id="rechnung.1@example.net"), source="imap", mailbox=mailbox)
    result.ticket.refresh_from_db()
    assert result.ticket.team == world.commercial
    [row] = Outbox.objects.filter(ticket=result.ticket)
    assert row.kind == OutboxKind.ACKNOWLEDGEMENT
    assert str(make_header(decode_header(row.from_address))).startswith(world.commercial.name)
