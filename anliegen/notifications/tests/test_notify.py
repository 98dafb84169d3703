"""Who is told what, once: assignment, customer reply, mention, callback due, SLA warning."""

import datetime

from django.utils import timezone

from anliegen.notifications import actions, tasks
from anliegen.notifications.access import mentioned_tickets, unread_count
from anliegen.notifications.models import Kind, Notification
from anliegen.tickets import actions as ticket_actions
from anliegen.tickets.mentions import mentioned_names


def _kinds(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_it_tells_the_new_assignee_but_not_who_assigned_themselves(world):
    ticket_actions.assign_ticket(ticket=world.ticket, assignee=world.teammate, actor=world.agent)
    ticket_actions.assign_ticket(ticket=world.ticket, assignee=world.agent, actor=world.agent)
    assert _kinds(world.teammate) == [Kind.ASSIGNED]
    assert _kinds(world.agent) == []
    row = Notification.objects.get(recipient=world.teammate)
    assert row.ticket == world.ticket and row.actor == world.agent and row.read_at is None


def test_it_tells_the_assignee_of_a_customer_reply_once(world):
    ticket_actions.assign_ticket(ticket=world.ticket, assignee=world.agent, actor=world.teammate)
    message = ticket_actions.add_customer_message(ticket=world.ticket, customer=world.customer,
                                                  text="Es geht immer noch nicht.")
    assert sorted(_kinds(world.agent)) == [Kind.ASSIGNED, Kind.CUSTOMER_REPLY]
    # The same occasion again (a retried hook) tells nobody twice.
    assert actions.notify(recipient=world.agent, kind=Kind.CUSTOMER_REPLY, key=f"reply:{message.pk}",
                          ticket=world.ticket) is None
    assert Notification.objects.filter(recipient=world.agent, kind=Kind.CUSTOMER_REPLY).count() == 1


def test_it_reads_mentions_from_a_note(world):
    assert mentioned_names("@tom kannst du? Mail an anna@example.org, @Lena. und @tom") == ["tom", "lena"]
    ticket_actions.add_note(ticket=world.ticket, author=world.agent,
                            text="@tom @olga @lena bitte schauen, der Router bootet in Schleife.")
    assert _kinds(world.teammate) == [Kind.MENTION]
    assert _kinds(world.lead) == [Kind.MENTION]
    assert _kinds(world.outsider) == []  # may not see the case: a mention does not open it
    assert [r.ticket for r in mentioned_tickets(world.teammate)] == [world.ticket]


def test_it_keeps_a_mentioned_case_listed_until_it_is_opened(world, client):
    ticket_actions.add_note(ticket=world.ticket, author=world.agent, text="@tom was meinst du?")
    client.force_login(world.teammate)
    listed = client.get("/notifications/mentioned/")
    assert listed.status_code == 200 and world.ticket.number in listed.text
    assert client.get("/notifications/mentioned/count/").text.startswith('<span class="badge count">1')
    assert client.get(f"/cases/{world.ticket.number}/").status_code == 200
    assert world.ticket.number not in client.get("/notifications/mentioned/").text
    assert client.get("/notifications/mentioned/count/").text == ""
    assert Notification.objects.get(recipient=world.teammate).read_at is not None


def test_it_tells_of_a_due_callback_once(world):
    from anliegen.phone import actions as phone_actions

    now = timezone.now()
    callback = phone_actions.book_callback(ticket=world.ticket, due_at=now + datetime.timedelta(minutes=10),
                                           reminder_at=now + datetime.timedelta(minutes=5), team=world.support,
                                           agent=world.teammate, actor=world.agent)
    assert phone_actions.send_callback_reminders(now=now + datetime.timedelta(minutes=6)) == 1
    assert phone_actions.send_callback_reminders(now=now + datetime.timedelta(minutes=7)) == 0
    rows = Notification.objects.filter(recipient=world.teammate, kind=Kind.CALLBACK_DUE)
    assert rows.count() == 1 and rows[0].detail["due_at"] == callback.due_at.isoformat()


def test_it_warns_of_an_sla_about_to_breach_once(world):
    from anliegen.routing import actions as routing_actions
    from anliegen.routing.sla.compute import recompute_sla

    calendar = routing_actions.save_calendar(name="Rund um die Uhr", country="DE",
                                             hours_text="mon-sun 00:00-24:00", timezone_name="Europe/Berlin")
    routing_actions.save_policy(data={"name": "Support", "calendar": calendar, "team": world.support,
                                      "first_response_minutes": 60, "resolution_minutes": 6000,
                                      "notify_lead": False, "raise_priority": False, "raise_level": False})
    ticket_actions.assign_ticket(ticket=world.ticket, assignee=world.agent, actor=world.teammate)
    now = timezone.now()
    row = recompute_sla(world.ticket, now=now)
    assert row is not None and row.first_response_due is not None
    assert tasks.sla_warnings(now=row.first_response_due - datetime.timedelta(hours=3)) == 0  # not yet "soon"
    assert tasks.sla_warnings(now=row.first_response_due - datetime.timedelta(minutes=30)) == 1
    assert tasks.sla_warnings(now=row.first_response_due - datetime.timedelta(minutes=20)) == 0
    told = Notification.objects.get(recipient=world.agent, kind=Kind.SLA_WARNING)
    assert told.detail["target"] == "first_response"


def test_it_follows_each_persons_choice(world):
    actions.set_preferences(user=world.teammate, choices={Kind.ASSIGNED: (False, False),
                                                          Kind.MENTION: (False, True)})
    ticket_actions.assign_ticket(ticket=world.ticket, assignee=world.teammate, actor=world.agent)
    ticket_actions.add_note(ticket=world.ticket, author=world.agent, text="@tom bitte per Mail")
    rows = list(Notification.objects.filter(recipient=world.teammate))
    assert [(r.kind, r.in_app, r.by_mail) for r in rows] == [(Kind.MENTION, False, True)]
    assert unread_count(world.teammate) == 0  # mail only: nothing in the app's counter


def test_it_mails_a_notification_once_through_the_outbox_in_the_recipients_language(world):
    from django.core import mail as django_mail

    from anliegen.accounts.actions import update_preferences
    from anliegen.mail.models import Outbox, OutboxKind
    from anliegen.mail.outbound import send_due

    update_preferences(user=world.teammate, ui_language="de", availability=world.teammate.availability)
    actions.set_preferences(user=world.teammate, choices={Kind.MENTION: (True, True)})
    note = ticket_actions.add_note(ticket=world.ticket, author=world.agent, text="@tom bitte per Mail")
    assert actions.notify(recipient=world.teammate, kind=Kind.MENTION, key=f"mention:{note.pk}",
                          ticket=world.ticket, actor=world.agent) is None  # the same mention again
    rows = list(Outbox.objects.filter(kind=OutboxKind.NOTIFICATION))
    assert len(rows) == 1 and rows[0].to == world.teammate.email
    assert rows[0].subject == f"[{world.ticket.number}] Anna hat Sie in einer Notiz erwähnt."
    assert f"/cases/{world.ticket.number}/" in rows[0].text
    assert Notification.objects.get(recipient=world.teammate).mailed_at is not None
    # Nobody else wanted mail: the author and the other agents get none.
    ticket_actions.assign_ticket(ticket=world.ticket, assignee=world.teammate, actor=world.agent)
    assert Outbox.objects.filter(kind=OutboxKind.NOTIFICATION).count() == 1
    send_due()
    send_due()
    assert [m.to for m in django_mail.outbox] == [[world.teammate.email]]
