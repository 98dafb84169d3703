"""Two weeks of a service department with a frozen clock, 14 to 28 December 2026: the worker
ticks every half hour; SLAs run across weekends and the German and Danish Christmas holidays;
a customer comes back by e-mail, phone and e-mail again; Quality-Care callbacks are booked by
routing and done by second level; the weekly review records an outcome."""

import datetime

from anliegen import testing
from anliegen.phone.actions import log_call, record_callback_outcome
from anliegen.phone.models import Callback
from anliegen.routing import actions
from anliegen.routing.models import AssignmentMode, CaseSLA, ContactLink, QualityCare, ReviewEntry
from anliegen.routing.quality import retry_bookings
from anliegen.routing.sla.compute import check_sla_breaches
from anliegen.tickets import actions as ticket_actions
from anliegen.tickets.models import Channel, Event, Level, Message, Status

from .conftest import berlin

ROUTER = "Seit gestern blinkt die DSL-Lampe an meinem Router rot und ich habe kein Internet."


def test_it_runs_a_fortnight(world, second_level, berlin_calendar, copenhagen_calendar, clock, client) -> None:
    sven = second_level.members.get()
    danish = testing.make_team("Dansk support", default_language="da")
    testing.make_agent("freja", teams=[danish], languages=["da"])
    actions.save_policy(data={"name": "Support DE", "calendar": berlin_calendar, "team": world.support,
                              "first_response_minutes": 120, "resolution_minutes": 480, "notify_lead": True,
                              "raise_priority": True, "raise_level": True})
    actions.save_policy(data={"name": "Support DK", "calendar": copenhagen_calendar, "team": danish,
                              "first_response_minutes": 120, "resolution_minutes": 960, "notify_lead": True})
    actions.save_policy(data={"name": "Everything else", "calendar": berlin_calendar,
                              "first_response_minutes": 240, "resolution_minutes": 960, "notify_lead": True})
    actions.save_rule(data={"name": "Danish to the Danish team", "language": "da", "set_team": danish})
    actions.configure_team_routing(team=world.support, mode=AssignmentMode.ROUND_ROBIN, match_language=True,
                                   match_skills=False)
    erika = testing.make_customer("Ingrid Lange", email="ingrid@example.de", phones=["+4930123456"])
    erika.customer_since = datetime.date(2012, 4, 1)
    erika.save()
    jens = world.other_customer
    jens.customer_since = datetime.date(2015, 2, 1)
    jens.save()
    mette = testing.make_customer("Mette Jensen", email="mette@example.dk", language="da")
    klaus = testing.make_customer("Klaus Richter", email="klaus@example.de")
    breaches: list[tuple[datetime.datetime, int]] = []

    def run_until(moment: datetime.datetime) -> None:
        while clock.now < moment:
            clock.advance(minutes=30)
            count = check_sla_breaches()
            if count:
                breaches.append((clock.now, count))
            retry_bookings()

    # Monday 14 Dec: Erika's router fails; anna answers and waits for her.
    clock.set(berlin(2026, 12, 14, 9))
    r1 = testing.make_ticket(team=world.support, customer=erika, subject="Router verbindet sich nicht", text=ROUTER,
                             language="de")
    r1.refresh_from_db()
    assert r1.assignee == world.agent
    run_until(berlin(2026, 12, 14, 9, 30))
    ticket_actions.add_reply(ticket=r1, author=world.agent, text="Bitte Kabel prüfen.", status=Status.PENDING)
    run_until(berlin(2026, 12, 16, 10))
    assert not breaches  # pending: the clock stands still

    # Wednesday 16 Dec: she calls. Second contact, long-standing customer → Quality-Care.
    call = log_call(actor=world.teammate, number="+49 30 123456", team=world.support,
                    text="Kundin ruft an: Internet geht immer noch nicht, die DSL-Lampe am Router ist rot.")
    r2 = call.ticket
    r2.refresh_from_db()
    assert ContactLink.objects.filter(ticket=r2, kind="new_case").get().repeat.root_ticket == r1
    flag = QualityCare.objects.get(ticket=r2)
    assert r2.level == Level.SECOND and r2.team == second_level
    callback = Callback.objects.get(ticket=r2, kind="quality_care")
    # 24 business hours: Wed 10-18, Thu 08-18, Fri 08-14.
    assert callback.due_at == flag.callback_due_at == berlin(2026, 12, 18, 14)
    run_until(berlin(2026, 12, 16, 11))
    ticket_actions.add_reply(ticket=r2, author=sven, text="Wir rufen Sie morgen an.")
    run_until(berlin(2026, 12, 17, 11))
    record_callback_outcome(callback=callback, outcome="reached", note="Leitung wird geprüft", actor=sven)
    run_until(berlin(2026, 12, 17, 11, 30))
    ticket_actions.set_status(ticket=r2, status=Status.SOLVED, actor=sven)

    # Friday 18 Dec: a third contact by e-mail → second level by itself, contacts listed.
    run_until(berlin(2026, 12, 18, 9))
    r3 = testing.make_ticket(team=world.support, customer=erika, subject="Immer noch kein Internet",
                             text="Hallo, mein Router hat weiterhin kein Internet, die DSL-Lampe ist rot.", language="de")
    r3.refresh_from_db()
    assert r3.level == Level.SECOND and r3.team == second_level
    reason = Event.objects.get(ticket=r3, field="level").reason
    assert "3 times" in reason and all(t.number in reason for t in (r1, r2, r3))
    assert "Phone" in reason and "E-mail" in reason
    assert not QualityCare.objects.filter(ticket=r3).exists()  # the concern already had its callback
    run_until(berlin(2026, 12, 18, 10))
    ticket_actions.add_reply(ticket=r3, author=sven, text="Ein Techniker kommt am Montag.")
    run_until(berlin(2026, 12, 18, 14))
    assert client.login(username="sven", password=testing.PASSWORD)
    review = client.get("/routing/review/").content.decode()
    assert r3.number in review and r1.number not in review
    client.post(f"/routing/review/{r3.number}/", {f"r{r3.pk}-outcome": "continue",
                                                  f"r{r3.pk}-next_step": "Techniker am Montag"})
    assert ReviewEntry.objects.get(ticket=r3).next_step == "Techniker am Montag"
    run_until(berlin(2026, 12, 21, 12))
    ticket_actions.set_status(ticket=r3, status=Status.SOLVED, actor=sven)
    assert not breaches

    # Tuesday 22 Dec: Jens (customer since 2015) complains in Danish → Danish team, Quality-Care.
    run_until(berlin(2026, 12, 22, 10))
    complaint = testing.make_ticket(team=world.support, customer=jens, subject="Klage over ventetiden",
                                    text="Jeg er utilfreds, jeg ventede 45 minutter i telefonkøen.", language="da")
    qc = QualityCare.objects.get(ticket=complaint)
    # 24 business hours in Copenhagen: Tue 10-18, Wed 08-18, then 24-27 Dec closed, Mon 08-14.
    assert qc.callback_due_at == berlin(2026, 12, 28, 14)
    run_until(berlin(2026, 12, 22, 11))
    ticket_actions.add_reply(ticket=complaint, author=sven, text="Vi ringer til dig.")
    # At second level the general policy applies (16 h): the resolution breaches on Wednesday 16:00.
    run_until(berlin(2026, 12, 23, 16, 30))
    assert breaches == [(berlin(2026, 12, 23, 16), 1)]
    assert Message.objects.filter(ticket=complaint, kind="note", text__contains="resolution").exists()

    # Wednesday 23 Dec 17:00: Mette writes in Danish → Danish team, Danish calendar.
    run_until(berlin(2026, 12, 23, 17))
    faktura = testing.make_ticket(team=world.support, customer=mette, subject="Faktura forkert",
                                  text="Min faktura er forkert.", language="da")
    faktura.refresh_from_db()
    assert faktura.team == danish
    sla = CaseSLA.objects.get(ticket=faktura)
    assert sla.first_response_due == berlin(2026, 12, 28, 9)  # 1 h Wed, 24-27 Dec closed, 1 h Mon
    assert sla.resolution_due == berlin(2026, 12, 29, 13)

    # Thursday 24 Dec 16:00 (a working day in Berlin): Klaus's meter reading.
    run_until(berlin(2026, 12, 24, 16))
    meter = testing.make_ticket(team=world.support, customer=klaus, subject="Zählerstand falsch",
                                text="Der Zählerstand stimmt nicht.", language="de", channel=Channel.EMAIL)
    sla = CaseSLA.objects.get(ticket=meter)
    assert sla.first_response_due == berlin(2026, 12, 24, 18)
    assert sla.resolution_due == berlin(2026, 12, 28, 14)
    run_until(berlin(2026, 12, 24, 18, 30))
    meter.refresh_from_db()
    assert breaches[-1] == (berlin(2026, 12, 24, 18), 1)
    assert meter.level == Level.SECOND and meter.priority == 3
    assert meter.team == second_level  # escalated to second level: handed to its team
    assert Message.objects.filter(ticket=meter, kind="note", text__contains="first response").exists()

    # Over the holidays and the weekend nothing more breaches.
    run_until(berlin(2026, 12, 28, 8))
    assert len(breaches) == 2
    meter.refresh_from_db()
    assert meter.level == Level.SECOND

    # Monday 28 Dec: the Danish first response breaches at 09:00. The meter case is at second
    # level now, where the policy for every team applies (16 h): due Tuesday 12:00.
    run_until(berlin(2026, 12, 28, 9))
    assert breaches[-1] == (berlin(2026, 12, 28, 9), 1)
    assert Message.objects.filter(ticket=faktura, kind="note", text__contains="first response").exists()
    jens_callback = Callback.objects.get(ticket=complaint, kind="quality_care")
    run_until(berlin(2026, 12, 28, 10))
    record_callback_outcome(callback=jens_callback, outcome="reached", note="Undskyldt", actor=sven)
    run_until(berlin(2026, 12, 28, 18))
    assert len(breaches) == 3
    run_until(berlin(2026, 12, 29, 12, 30))
    assert breaches[-1] == (berlin(2026, 12, 29, 12), 1)
    meter.refresh_from_db()
    assert meter.level == Level.SECOND and meter.priority == 3  # that policy only notifies the lead
    assert len(breaches) == 4  # each breach handled exactly once
    assert set(Callback.objects.filter(kind="quality_care").values_list("status", flat=True)) == {"done"}
