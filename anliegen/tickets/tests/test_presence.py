import datetime

from django.urls import reverse
from django.utils import timezone

from anliegen.tickets.models import Presence


def _beat(client, ticket, **data):
    return client.post(reverse("tickets:presence", args=[ticket.number]), data, headers={"HX-Request": "true"})


def test_the_case_view_sends_heartbeats_and_typing_signals(anna, world):
    response = anna.get(reverse("tickets:case", args=[world.ticket.number]))
    url = reverse("tickets:presence", args=[world.ticket.number])
    assert f'hx-post="{url}" hx-trigger="load, every 4s"' in response.text
    assert 'hx-trigger="keyup changed delay:500ms"' in response.text
    assert "<script>" not in response.text and "hx-on" not in response.text


def test_it_tells_the_first_agent_that_a_second_opened_the_case(anna, tom, world):
    assert _beat(anna, world.ticket).text.strip() == ""
    assert "Anna is viewing this case" in _beat(tom, world.ticket).text
    assert "Tom is viewing this case" in _beat(anna, world.ticket).text
    assert Presence.objects.filter(ticket=world.ticket).count() == 2


def test_it_tells_when_the_other_is_typing_a_reply(anna, tom, world):
    _beat(anna, world.ticket)
    _beat(tom, world.ticket, typing="1")
    response = _beat(anna, world.ticket)
    assert "Tom is typing a reply" in response.text
    assert "Tom is viewing" not in response.text
    # Sending the reply ends the typing notice.
    tom.post(reverse("tickets:reply", args=[world.ticket.number]), {"text": "Erledigt."})
    assert "Tom is viewing this case" in _beat(anna, world.ticket).text


def test_an_old_heartbeat_counts_as_gone(anna, world):
    long_ago = timezone.now() - datetime.timedelta(seconds=20)
    Presence.objects.create(ticket=world.ticket, user=world.teammate, seen_at=long_ago, typing_at=long_ago)
    assert "Tom" not in _beat(anna, world.ticket).text


def test_stale_rows_are_cleared_away(anna, world):
    Presence.objects.create(ticket=world.ticket, user=world.teammate,
                            seen_at=timezone.now() - datetime.timedelta(hours=2))
    _beat(anna, world.ticket)
    assert list(Presence.objects.filter(ticket=world.ticket).values_list("user__username", flat=True)) == ["anna"]


def test_nobody_outside_the_team_can_announce_themselves(olga, world):
    assert _beat(olga, world.ticket).status_code == 404
    assert not Presence.objects.exists()


def test_it_takes_only_posts(anna, world):
    assert anna.get(reverse("tickets:presence", args=[world.ticket.number])).status_code == 405
