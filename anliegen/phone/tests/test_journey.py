import contextlib
import datetime
from unittest import mock

from django.urls import reverse
from django.utils import timezone

from anliegen.phone import actions, journey
from anliegen.testing import PASSWORD, make_ticket
from anliegen.tickets import actions as ticket_actions
from anliegen.tickets.models import Channel, Ticket


BASE = timezone.now() + datetime.timedelta(minutes=5)  # after the world's cases, fixed for the module


@contextlib.contextmanager
def at(minutes: int):
    """A frozen clock for the tickets and phone actions, `minutes` after BASE."""
    moment = BASE + datetime.timedelta(minutes=minutes)
    with mock.patch("anliegen.tickets.actions._now", return_value=moment), \
            mock.patch("anliegen.phone.actions._now", return_value=moment):
        yield


def build_journey(world, receptionist, known_number):
    """Erika: mail (world.ticket, already there), then a portal case, a call, a reply, a note, a callback."""
    with at(10):
        portal = make_ticket(team=world.support, customer=world.customer, channel=Channel.PORTAL,
                             subject="Portal: Zählerstand", text="Zählerstand 4711 eingetragen")
    with at(20):
        call = actions.log_call(actor=receptionist, number=known_number, text="Ruft wegen Router an",
                                ticket=world.ticket)
    with at(30):
        ticket_actions.add_reply(ticket=world.ticket, author=world.agent, text="Bitte Router neu starten")
    with at(40):
        ticket_actions.add_note(ticket=portal, author=world.agent, text="Intern: Zähler prüfen")
    with at(50):
        callback = actions.book_callback(ticket=world.ticket, due_at=BASE + datetime.timedelta(hours=2),
                                         actor=world.agent, note="Nachfragen ob es klappt")
    with at(130):
        actions.record_callback_outcome(callback=callback, outcome="reached", actor=world.agent,
                                        note="Läuft wieder")
    return portal, call, callback


def test_it_shows_every_channel_in_time_order(client, world, receptionist, known_number):
    build_journey(world, receptionist, known_number)
    client.login(username="anna", password=PASSWORD)
    response = client.get(reverse("phone:journey", args=[world.customer.pk]))
    assert response.status_code == 200
    text = response.text
    order = ["Guten Tag, ich wurde zweimal belastet.", "Zählerstand 4711 eingetragen", "Ruft wegen Router an",
             "Bitte Router neu starten", "Nachfragen ob es klappt", "Läuft wieder"]
    positions = [text.index(snippet) for snippet in order]
    assert positions == sorted(positions)
    assert "channel-email" in text and "channel-portal" in text and "channel-phone" in text
    assert "icon-mail" in text and "icon-phone" in text and "icon-globe" in text  # SVG icons, not emoji
    assert "taken by Petra" in text
    # Internal notes only on request; the callback's own notes never (it has entries of its own).
    assert "Intern: Zähler prüfen" not in text
    with_notes = client.get(reverse("phone:journey", args=[world.customer.pk]), {"notes": "1"}).text
    assert "Intern: Zähler prüfen" in with_notes and with_notes.count("Callback booked for") == 1
    assert "E-mail: 1" in text and "Phone: 1" in text and "Portal: 1" in text


def test_it_shows_only_the_cases_the_viewer_may_see(client, world, receptionist, known_number):
    build_journey(world, receptionist, known_number)
    client.login(username="anna", password=PASSWORD)
    text = client.get(reverse("phone:journey", args=[world.customer.pk])).text
    assert world.confidential_ticket.number not in text and "Meine Diagnose" not in text
    client.login(username="carla", password=PASSWORD)
    text = client.get(reverse("phone:journey", args=[world.customer.pk])).text
    assert "Meine Diagnose" in text and "Ruft wegen Router an" not in text
    client.login(username="lena", password=PASSWORD)  # a lead, but no member of the confidential team
    text = client.get(reverse("phone:journey", args=[world.customer.pk])).text
    assert "Meine Diagnose" not in text and "Ruft wegen Router an" in text


def test_it_hides_a_customer_from_staff_who_see_none_of_their_cases(client, world):
    client.login(username="olga", password=PASSWORD)
    assert client.get(reverse("phone:journey", args=[world.customer.pk])).status_code == 404
    assert client.get(reverse("phone:journey", args=[999999])).status_code == 404
    assert client.get(reverse("phone:journey_panel", args=[world.ticket.number])).status_code == 404


def test_it_links_the_journey_from_the_case_panel(client, world, receptionist, known_number):
    build_journey(world, receptionist, known_number)
    client.login(username="anna", password=PASSWORD)
    panel_url = reverse("phone:journey_panel", args=[world.ticket.number])
    assert f'hx-get="{panel_url}?read=' in client.get(reverse("tickets:case", args=[world.ticket.number])).text
    response = client.get(panel_url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert reverse("phone:journey", args=[world.customer.pk]) in response.text
    assert "Läuft wieder" in response.text  # the latest entries
    assert "Guten Tag" not in response.text  # only the last five


def test_it_pages_back_through_a_long_journey(world):
    with at(0):
        ticket = make_ticket(team=world.support, customer=world.customer, subject="Viele Mails", text="Mail 0")
    for i in range(1, 12):
        with at(i):
            ticket_actions.add_customer_message(ticket=ticket, customer=world.customer, text=f"Mail {i}")
    cases = Ticket.objects.filter(pk=ticket.pk)
    first = journey.timeline(cases, limit=5)
    assert [e.text for e in first.entries] == [f"Mail {i}" for i in range(7, 12)]
    second = journey.timeline(cases, limit=5, before=journey.parse_cursor(first.earlier_cursor))
    assert [e.text for e in second.entries] == [f"Mail {i}" for i in range(2, 7)]
    third = journey.timeline(cases, limit=5, before=journey.parse_cursor(second.earlier_cursor))
    assert [e.text for e in third.entries] == ["Mail 0", "Mail 1"] and third.earlier_cursor == ""


def test_it_shows_the_latest_entries_for_a_bad_cursor(client, world):
    client.login(username="anna", password=PASSWORD)
    for cursor in ("yesterday", "2026-01-01T10:00", "x" * 50):
        response = client.get(reverse("phone:journey", args=[world.customer.pk]), {"before": cursor})
        assert response.status_code == 200
    assert journey.parse_cursor("2026-01-01T10:00:00 00:00") is not None  # '+' sent unencoded


def test_it_logs_the_read_of_every_case_it_shows(client, world, receptionist, known_number):
    from anliegen.tickets.access import read_token
    from anliegen.tickets.models import AccessLog

    portal, _call, _callback = build_journey(world, receptionist, known_number)
    client.login(username="anna", password=PASSWORD)
    client.get(reverse("phone:journey", args=[world.customer.pk]))
    logged = set(AccessLog.objects.filter(user=world.agent, via="journey").values_list("ticket_id", flat=True))
    assert logged == {world.ticket.pk, portal.pk}
    AccessLog.objects.all().delete()
    token = read_token(world.agent, world.ticket)
    client.get(reverse("phone:journey_panel", args=[world.ticket.number]), {"read": token})
    # The panel's own case is logged by the case view that loaded it; the others shown here.
    assert set(AccessLog.objects.values_list("ticket_id", flat=True)) <= {portal.pk}
    AccessLog.objects.all().delete()
    client.get(reverse("phone:journey_panel", args=[world.ticket.number]))  # alone: a read of its own
    assert AccessLog.objects.filter(ticket=world.ticket, user=world.agent, via="panel").count() == 1


def test_it_shows_the_journey_with_a_fixed_number_of_queries(client, world, receptionist, known_number,
                                                      django_assert_max_num_queries):
    build_journey(world, receptionist, known_number)
    client.login(username="anna", password=PASSWORD)
    url = reverse("phone:journey", args=[world.customer.pk])
    with django_assert_max_num_queries(25) as few:
        client.get(url)
    for i in range(15):
        ticket_actions.add_customer_message(ticket=world.ticket, customer=world.customer, text=f"Nachtrag {i}")
        actions.book_callback(ticket=world.ticket, due_at=timezone.now() + datetime.timedelta(hours=i + 1),
                              actor=world.agent)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
