"""Demo data of the phone app: calls taken at reception today, and open callbacks — some due
soon, one overdue, one on its second try, one Quality-Care — so the callbacks list has work."""

import datetime
import random
from contextlib import contextmanager
from collections.abc import Iterator
from unittest import mock

from django.utils import timezone

from anliegen.accounts.models import Team, TeamKind, User
from anliegen.customers.models import Customer
from anliegen.phone import actions
from anliegen.phone.models import CallbackKind, CallbackOutcome
from anliegen.tickets.demo import generate_concern
from anliegen.tickets.models import ACTIVE_STATUSES, Level, Ticket

CALL_OPENERS = {
    "de": "Anruf: ",
    "da": "Opkald: ",
    "en": "Call: ",
}
CALLBACK_NOTES = {
    "de": ["Kunde bittet um Rückruf nach 14 Uhr.", "Rückruf zur Klärung der Rechnung.", "Bitte Termin bestätigen."],
    "da": ["Kunden beder om at blive ringet op efter kl. 14.", "Ring tilbage om fakturaen."],
    "en": ["Customer asks for a call back after 2 pm.", "Call back to confirm the appointment."],
}


@contextmanager
def _clock(at: datetime.datetime) -> Iterator[None]:
    """Stamp what the actions write at a past moment (for callbacks that are overdue by now)."""
    with mock.patch("anliegen.tickets.actions._now", return_value=at), \
            mock.patch("anliegen.phone.actions._now", return_value=at):
        yield


def _at_hour(now: datetime.datetime, hours: float) -> datetime.datetime:
    return (now + datetime.timedelta(hours=hours)).replace(second=0, microsecond=0)


def populate(rng: random.Random) -> None:
    receptionists = list(User.objects.filter(memberships__team__kind=TeamKind.RECEPTION, is_active=True).distinct())
    teams = list(Team.objects.filter(kind=TeamKind.SUPPORT, confidential=False))
    callers = list(Customer.objects.filter(phones__isnull=False).distinct().order_by("id")[:200])
    if not receptionists or not teams or not callers:
        return
    now = timezone.now()
    by_slug = {t.slug: t for t in Team.objects.all()}

    # Calls taken at reception in the last hours, some with a promised callback.
    for i, customer in enumerate(rng.sample(callers, min(8, len(callers)))):
        concern, language = generate_concern(rng, customer.preferred_language or None)
        team = by_slug.get(concern.team) or rng.choice(teams)
        if team.confidential:
            team = rng.choice(teams)
        receptionist = rng.choice(receptionists)
        number = customer.phones.order_by("id").first().number  # type: ignore[union-attr]
        taken_at = now - datetime.timedelta(minutes=rng.randint(20, 60 * 6))
        callback_at = _at_hour(now, rng.choice([0.4, 1, 2, 3, 20])) if i % 2 == 0 else None
        with _clock(taken_at):
            actions.log_call(
                actor=receptionist, number=number, text=CALL_OPENERS[language] + concern.text[language],
                customer=customer, team=team, subject=concern.subject[language], callback_at=callback_at,
                callback_note=rng.choice(CALLBACK_NOTES[language]) if callback_at else "",
            )

    # Callbacks on cases the teams are already working: one overdue, one on its second try.
    open_cases = list(
        Ticket.objects.filter(status__in=ACTIVE_STATUSES, team__in=teams, customer__phones__isnull=False)
        .distinct().order_by("id")[:60]
    )
    if len(open_cases) < 3:
        return
    overdue_case, retry_case, care_case = rng.sample(open_cases, 3)
    booked_at = now - datetime.timedelta(hours=3)
    with _clock(booked_at):
        actions.book_callback(ticket=overdue_case, due_at=now - datetime.timedelta(minutes=40),
                              note=rng.choice(CALLBACK_NOTES["de"]), actor=rng.choice(receptionists))
        first = actions.book_callback(ticket=retry_case, due_at=booked_at + datetime.timedelta(minutes=30),
                                      note="Rückfrage zum Vertrag", actor=rng.choice(receptionists))
    with _clock(booked_at + datetime.timedelta(minutes=35)):
        actions.record_callback_outcome(callback=first, outcome=CallbackOutcome.RETRY, note="Besetzt",
                                        actor=None, actor_label="demo", retry_at=_at_hour(now, 1.5))
    escalated = [t for t in open_cases if t.level == Level.SECOND] or [care_case]
    actions.book_callback(ticket=rng.choice(escalated), due_at=_at_hour(now, 24), kind=CallbackKind.QUALITY_CARE,
                          note="Langjährige Kundin, mehrfach gemeldet: persönlich zurückrufen.", actor_label="routing")
    actions.send_callback_reminders(now=now)
