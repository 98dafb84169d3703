import datetime
from unittest import mock

from django.urls import reverse
from django.utils import timezone

from anliegen.runtime import periodic
from anliegen.phone import actions
from anliegen.phone.models import Callback
from anliegen.phone.tasks import remind_callbacks
from anliegen.testing import PASSWORD
from anliegen.tickets.models import MessageKind

MINUTE = datetime.timedelta(minutes=1)


def reminders(ticket):
    return ticket.messages.filter(kind=MessageKind.NOTE, meta__callback_event="reminded")


def test_it_reminds_once_when_the_reminder_time_has_passed(world, known_number):
    due = timezone.now() + 60 * MINUTE
    callback = actions.book_callback(ticket=world.ticket, due_at=due, agent=world.teammate, note="Tarifwechsel",
                                     actor=world.agent)
    assert callback.reminder_at == due - 15 * MINUTE
    # A frozen clock: 20 minutes before due, nothing yet; 10 minutes before, the reminder.
    assert actions.send_callback_reminders(now=due - 20 * MINUTE) == 0
    assert not reminders(world.ticket).exists()
    assert actions.send_callback_reminders(now=due - 10 * MINUTE) == 1
    callback.refresh_from_db()
    assert callback.reminded_at == due - 10 * MINUTE and callback.reminder_error == ""
    note = reminders(world.ticket).get()
    assert note.text.startswith("Reminder: Callback due at")
    assert "Technischer Support / Tom" in note.text and "+49301234567" in note.text and "Tarifwechsel" in note.text
    assert note.author_user is None and note.sender == "reminder"
    # The next rounds do not remind again.
    assert actions.send_callback_reminders(now=due) == 0
    assert reminders(world.ticket).count() == 1


def test_it_skips_callbacks_that_are_done_or_cancelled(world):
    due = timezone.now() + 60 * MINUTE
    done = actions.book_callback(ticket=world.ticket, due_at=due, actor=world.agent)
    cancelled = actions.book_callback(ticket=world.ticket, due_at=due, actor=world.agent)
    actions.record_callback_outcome(callback=done, outcome="reached", actor=world.agent)
    actions.cancel_callback(callback=cancelled, actor=world.agent)
    assert actions.send_callback_reminders(now=due + MINUTE) == 0


def test_it_honours_an_explicit_reminder_time(world):
    due = timezone.now() + 24 * 60 * MINUTE
    callback = actions.book_callback(ticket=world.ticket, due_at=due, reminder_at=due - 120 * MINUTE,
                                     actor=world.agent)
    assert actions.send_callback_reminders(now=due - 121 * MINUTE) == 0
    assert actions.send_callback_reminders(now=due - 119 * MINUTE) == 1
    callback.refresh_from_db()
    assert callback.reminded_at is not None


def test_it_does_not_let_a_bad_row_stop_the_others(world):
    due = timezone.now() + 60 * MINUTE
    bad = actions.book_callback(ticket=world.ticket, due_at=due, actor=world.agent)
    good = actions.book_callback(ticket=world.ticket, due_at=due + MINUTE, actor=world.agent)
    real = actions._callback_note

    def explode(callback, text, **kwargs):
        if callback.pk == bad.pk:
            raise RuntimeError("disk full")
        return real(callback, text, **kwargs)

    with mock.patch("anliegen.phone.actions._callback_note", side_effect=explode):
        assert actions.send_callback_reminders(now=due) == 1
    bad.refresh_from_db()
    good.refresh_from_db()
    assert good.reminded_at == due and good.reminder_error == ""
    # The bad row is marked with its error so it does not fail again every minute.
    assert bad.reminded_at == due and bad.reminder_error == "RuntimeError: disk full"
    assert reminders(world.ticket).count() == 1
    assert actions.send_callback_reminders(now=due + MINUTE) == 0


def test_it_never_raises_from_the_task(world):
    with mock.patch("anliegen.phone.actions.send_callback_reminders", side_effect=RuntimeError("db gone")):
        assert remind_callbacks.call() == 0


def test_it_runs_as_a_periodic_job_of_the_worker(world):
    job = next(j for j in periodic.jobs() if j.name == "phone.callback_reminders")
    assert job.task is remind_callbacks and job.every == MINUTE
    due = timezone.now() + 2 * MINUTE
    actions.book_callback(ticket=world.ticket, due_at=due, actor=world.agent)  # reminder at once
    assert remind_callbacks.call() == 1
    assert reminders(world.ticket).count() == 1


def test_it_flags_reminded_callbacks_in_the_list(client, world):
    due = timezone.now() + 60 * MINUTE
    actions.book_callback(ticket=world.ticket, due_at=due, actor=world.agent)
    client.login(username="anna", password=PASSWORD)
    assert "icon-bell" not in client.get(reverse("phone:callbacks")).text
    actions.send_callback_reminders(now=due - MINUTE)
    assert "icon-bell" in client.get(reverse("phone:callbacks")).text
    assert Callback.objects.get().reminded_at is not None
