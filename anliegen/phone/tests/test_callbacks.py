import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from anliegen.phone import actions
from anliegen.phone.models import Callback, CallbackKind, CallbackOutcome, CallbackStatus
from anliegen.testing import PASSWORD, make_agent
from anliegen.tickets.actions import ActionError, move_to_team
from anliegen.tickets.models import Event, MessageKind

HOUR = datetime.timedelta(hours=1)


def local(dt: datetime.datetime) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def book(world, **kwargs) -> Callback:
    kwargs.setdefault("due_at", timezone.now() + 2 * HOUR)
    return actions.book_callback(ticket=world.ticket, actor=world.agent, **kwargs)


# --- Booking ---------------------------------------------------------------------------------


def test_it_books_a_callback_for_the_case_team_with_a_note_in_the_history(world, known_number):
    due = timezone.now() + 2 * HOUR
    callback = book(world, due_at=due, note="Kundin ab 14 Uhr erreichbar")
    assert callback.team == world.support and callback.agent is None and callback.status == CallbackStatus.OPEN
    assert callback.reminder_at == due - actions.DEFAULT_REMINDER_LEAD
    assert callback.phone_number == "+49301234567" and callback.kind == CallbackKind.CALLBACK
    note = world.ticket.messages.get(kind=MessageKind.NOTE)
    assert "Callback booked for" in note.text and "Kundin ab 14 Uhr erreichbar" in note.text
    assert note.meta == {"callback": callback.pk, "callback_event": "booked"}
    assert Event.objects.filter(ticket=world.ticket, kind="noted", actor=world.agent).exists()


def test_it_refuses_a_due_time_in_the_past(world):
    with pytest.raises(ActionError, match="has already passed; choose a time from now on"):
        book(world, due_at=timezone.now() - HOUR)
    assert not Callback.objects.exists()
    assert not world.ticket.messages.filter(kind=MessageKind.NOTE).exists()


def test_it_refuses_a_reminder_after_the_due_time_or_in_the_past(world):
    due = timezone.now() + 2 * HOUR
    with pytest.raises(ActionError, match="reminder must come before"):
        book(world, due_at=due, reminder_at=due + HOUR)
    with pytest.raises(ActionError, match="reminder time"):
        book(world, due_at=due, reminder_at=timezone.now() - HOUR)


def test_it_reminds_at_once_when_the_callback_is_due_soon(world):
    callback = book(world, due_at=timezone.now() + datetime.timedelta(minutes=5))
    assert callback.reminder_at <= timezone.now()


def test_it_books_for_an_agent_of_the_team_only(world):
    callback = book(world, agent=world.teammate)
    assert callback.agent == world.teammate and callback.team == world.support
    with pytest.raises(ActionError, match="is not a member of Technischer Support"):
        book(world, agent=world.outsider)


def test_it_refuses_a_team_that_cannot_see_the_case(world):
    with pytest.raises(ActionError, match="cannot see case"):
        book(world, team=world.commercial)


def test_it_books_a_quality_care_callback_for_the_routing_app(world):
    callback = actions.book_callback(ticket=world.ticket, due_at=timezone.now() + 24 * HOUR,
                                     kind=CallbackKind.QUALITY_CARE, actor_label="routing")
    assert callback.kind == "quality_care" and callback.created_by is None and callback.created_label == "routing"
    assert Event.objects.filter(ticket=world.ticket, kind="noted", actor_label="routing").exists()
    with pytest.raises(ActionError, match="Unknown kind"):
        actions.book_callback(ticket=world.ticket, due_at=timezone.now() + HOUR, kind="pizza")


# --- Outcomes --------------------------------------------------------------------------------


def test_it_records_that_the_customer_was_reached(world):
    callback = book(world)
    actions.record_callback_outcome(callback=callback, outcome=CallbackOutcome.REACHED, note="Problem gelöst",
                                    actor=world.teammate)
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.DONE and callback.outcome == "reached" and callback.attempts == 1
    assert callback.done_by == world.teammate and callback.done_at is not None
    assert world.ticket.messages.filter(kind=MessageKind.NOTE, text__contains="Reached (attempt 1)").exists()
    with pytest.raises(ActionError, match="already Done"):
        actions.record_callback_outcome(callback=callback, outcome=CallbackOutcome.REACHED, actor=world.agent)


def test_it_records_no_answer_without_booking_another(world):
    callback = book(world)
    actions.record_callback_outcome(callback=callback, outcome=CallbackOutcome.NO_ANSWER, actor=world.agent)
    assert Callback.objects.get().outcome == "no_answer"
    assert not Callback.objects.filter(status=CallbackStatus.OPEN).exists()


def test_it_books_the_next_try_on_retry(world):
    first = book(world, agent=world.teammate, note="Vertrag")
    with pytest.raises(ActionError, match="Say when to try again"):
        actions.record_callback_outcome(callback=first, outcome=CallbackOutcome.RETRY, actor=world.agent)
    with pytest.raises(ActionError, match="already passed"):
        actions.record_callback_outcome(callback=first, outcome=CallbackOutcome.RETRY, actor=world.agent,
                                        retry_at=timezone.now() - HOUR)
    first.refresh_from_db()
    assert first.is_open and first.attempts == 0
    retry_at = timezone.now() + 5 * HOUR
    actions.record_callback_outcome(callback=first, outcome=CallbackOutcome.RETRY, actor=world.agent,
                                    retry_at=retry_at)
    second = Callback.objects.get(previous=first)
    assert second.is_open and second.due_at == retry_at and second.attempts == 1
    assert second.agent == world.teammate and second.note == "Vertrag"
    actions.record_callback_outcome(callback=second, outcome=CallbackOutcome.RETRY, actor=world.agent,
                                    retry_at=retry_at + HOUR)
    third = Callback.objects.get(previous=second)
    actions.record_callback_outcome(callback=third, outcome=CallbackOutcome.REACHED, actor=world.agent)
    third.refresh_from_db()
    assert third.attempts == 3 and third.status == CallbackStatus.DONE
    assert Callback.objects.filter(status=CallbackStatus.OPEN).count() == 0


def test_it_refuses_an_unknown_outcome(world):
    with pytest.raises(ActionError, match="Unknown outcome"):
        actions.record_callback_outcome(callback=book(world), outcome="maybe", actor=world.agent)


def test_it_cancels_a_callback(world):
    callback = book(world)
    actions.cancel_callback(callback=callback, actor=world.agent, reason="Kunde hat gemailt")
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.CANCELLED and callback.outcome_note == "Kunde hat gemailt"
    with pytest.raises(ActionError, match="already Cancelled"):
        actions.cancel_callback(callback=callback, actor=world.agent)


def test_it_moves_open_callbacks_with_the_case_to_its_new_team(world):
    callback = book(world, agent=world.teammate)
    done = book(world)
    actions.record_callback_outcome(callback=done, outcome="reached", actor=world.agent)
    move_to_team(ticket=world.ticket, team=world.commercial, actor=world.lead)
    callback.refresh_from_db()
    done.refresh_from_db()
    assert callback.team == world.commercial and callback.agent is None
    assert done.team == world.support
    assert [c.pk for c in actions.open_callbacks(world.ticket)] == [callback.pk]


# --- Views -----------------------------------------------------------------------------------


def test_it_lists_my_teams_callbacks_with_overdue_highlighted(client, world):
    upcoming = book(world, due_at=timezone.now() + 5 * HOUR, note="später")
    overdue = book(world, due_at=timezone.now() + datetime.timedelta(minutes=1), note="jetzt")
    Callback.objects.filter(pk=overdue.pk).update(due_at=timezone.now() - HOUR)
    client.login(username="tom", password=PASSWORD)
    response = client.get(reverse("phone:callbacks"))
    assert response.status_code == 200
    assert response.text.count(f">{world.ticket.number}</a>") == 2
    assert f'id="callback-{overdue.pk}" class="overdue"' in response.text
    assert f'id="callback-{upcoming.pk}" class=""' in response.text
    assert "1 callback is overdue." in response.text
    mine = client.get(reverse("phone:callbacks"), {"scope": "mine"})
    assert world.ticket.number not in mine.text


def test_it_hides_a_callback_and_its_case_from_another_team(client, world):
    callback = book(world, note="geheim")
    client.login(username="olga", password=PASSWORD)
    for scope in ("teams", "mine", "all"):
        response = client.get(reverse("phone:callbacks"), {"scope": scope})
        assert world.ticket.number not in response.text and "geheim" not in response.text
    url = reverse("phone:callback_outcome", args=[callback.pk])
    assert client.post(url, {"outcome": "reached"}).status_code == 404
    assert client.get(reverse("phone:case_callbacks", args=[world.ticket.number])).status_code == 404
    assert client.post(reverse("phone:case_callbacks", args=[world.ticket.number]),
                       {"due_at": local(timezone.now() + HOUR)}).status_code == 404
    callback.refresh_from_db()
    assert callback.is_open and Callback.objects.count() == 1


def test_it_shows_the_lead_every_callback(client, world):
    book(world)
    client.login(username="lena", password=PASSWORD)
    assert world.ticket.number in client.get(reverse("phone:callbacks"), {"scope": "all"}).text


def test_it_updates_the_row_from_the_outcome_buttons(client, world):
    callback = book(world)
    client.login(username="anna", password=PASSWORD)
    url = reverse("phone:callback_outcome", args=[callback.pk])
    retry_at = timezone.now() + 3 * HOUR
    response = client.post(url, {"outcome": "retry", "retry_at": local(retry_at), "note": "besetzt", "view": "row"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    follow_up = Callback.objects.get(previous=callback)
    assert f'id="callback-{follow_up.pk}"' in response.text and "Try again" in response.text
    callback.refresh_from_db()
    assert callback.outcome == "retry" and callback.outcome_note == "besetzt"


def test_it_shows_outcome_errors_in_the_row(client, world):
    callback = book(world)
    client.login(username="anna", password=PASSWORD)
    url = reverse("phone:callback_outcome", args=[callback.pk])
    response = client.post(url, {"outcome": "retry", "retry_at": "", "view": "row"}, headers={"HX-Request": "true"})
    assert response.status_code == 400 and "Say when to try again." in response.text
    response = client.post(url, {"outcome": "retry", "retry_at": "garbage", "view": "row"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 400 and "Enter a valid date/time." in response.text
    callback.refresh_from_db()
    assert callback.is_open


def test_it_books_nothing_more_on_no_answer_from_the_list(client, world):
    callback = book(world)
    client.login(username="anna", password=PASSWORD)
    response = client.post(reverse("phone:callback_outcome", args=[callback.pk]),
                           {"outcome": "no_answer", "retry_at": local(timezone.now() + HOUR)})
    assert response.status_code == 302
    assert Callback.objects.count() == 1 and Callback.objects.get().outcome == "no_answer"


def test_it_books_and_lists_callbacks_in_the_case_panel(client, world):
    client.login(username="anna", password=PASSWORD)
    url = reverse("phone:case_callbacks", args=[world.ticket.number])
    response = client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Book a callback" in response.text
    due = timezone.now() + 4 * HOUR
    response = client.post(url, {"due_at": local(due), "agent": str(world.teammate.pk), "note": "Rückfrage"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    callback = Callback.objects.get()
    assert callback.agent == world.teammate and callback.note == "Rückfrage"
    assert f'id="callback-{callback.pk}"' in response.text
    # The case view loads the panel from this URL.
    case = client.get(reverse("tickets:case", args=[world.ticket.number]))
    assert f'hx-get="{url}?read=' in case.text


def test_it_says_in_the_case_panel_why_a_time_is_refused(client, world):
    client.login(username="anna", password=PASSWORD)
    url = reverse("phone:case_callbacks", args=[world.ticket.number])
    response = client.post(url, {"due_at": local(timezone.now() - 3 * HOUR)}, headers={"HX-Request": "true"})
    assert response.status_code == 400 and "has already passed" in response.text
    response = client.post(url, {"due_at": ""}, headers={"HX-Request": "true"})
    assert response.status_code == 400 and "Say when to call back." in response.text
    response = client.post(url, {"due_at": local(timezone.now() + HOUR), "agent": str(world.outsider.pk)},
                           headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert not Callback.objects.exists()


def test_it_books_from_the_case_panel_without_htmx(client, world):
    client.login(username="anna", password=PASSWORD)
    url = reverse("phone:case_callbacks", args=[world.ticket.number])
    response = client.post(url, {"due_at": local(timezone.now() + HOUR)})
    assert response.status_code == 302 and Callback.objects.count() == 1
    response = client.post(url, {"due_at": local(timezone.now() - HOUR)}, follow=True)
    assert "has already passed" in response.text and Callback.objects.count() == 1


def test_it_does_not_book_an_inactive_agent(world):
    gone = make_agent("gone", teams=[world.support])
    gone.is_active = False
    gone.save()
    with pytest.raises(ActionError, match="no longer active"):
        book(world, agent=gone)


def test_it_lists_callbacks_with_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    book(world)
    client.login(username="anna", password=PASSWORD)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("phone:callbacks"))
    for i in range(10):
        book(world, due_at=timezone.now() + (i + 3) * HOUR, agent=world.teammate if i % 2 else None)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("phone:callbacks"))
    assert response.text.count('class="outcome"') == 11
