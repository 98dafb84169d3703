"""The notification list, counters, marking read, choices, the API and @-completion."""

import json

from django.urls import reverse

from anliegen.api.actions import create_token
from anliegen.notifications.models import Kind, Notification, Preference
from anliegen.tickets import actions as ticket_actions


def test_it_lists_counts_and_marks_read(client, world):
    ticket_actions.assign_ticket(ticket=world.ticket, assignee=world.teammate, actor=world.agent)
    ticket_actions.add_note(ticket=world.ticket, author=world.agent, text="@tom schau mal")
    client.force_login(world.teammate)
    page = client.get(reverse("notifications:list"))
    assert page.status_code == 200
    assert "Anna assigned this case to you." in page.text and "Anna mentioned you in a note." in page.text
    assert client.get(reverse("notifications:count")).text == '<span class="badge count">2</span>'
    first = Notification.objects.get(recipient=world.teammate, kind=Kind.ASSIGNED)
    assert client.post(reverse("notifications:read", args=[first.pk])).status_code == 302
    assert client.get(reverse("notifications:count")).text == '<span class="badge count">1</span>'
    client.post(reverse("notifications:read_all"))
    assert client.get(reverse("notifications:count")).text == ""
    assert not Notification.objects.filter(recipient=world.teammate, read_at__isnull=True).exists()


def test_it_shows_no_one_elses_notifications(client, world):
    ticket_actions.assign_ticket(ticket=world.ticket, assignee=world.teammate, actor=world.agent)
    theirs = Notification.objects.get(recipient=world.teammate)
    client.force_login(world.outsider)
    assert world.ticket.number not in client.get(reverse("notifications:list")).text
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_it_saves_each_persons_choices(client, world):
    client.force_login(world.agent)
    data = {f"{kind}_app": "on" for kind in Kind.values} | {"mention_mail": "on"}
    data.pop("sla_warning_app")
    assert client.post(reverse("notifications:preferences"), data).status_code == 302
    prefs = dict((k, (a, m)) for k, a, m in Preference.objects.filter(user=world.agent)
                 .values_list("kind", "in_app", "by_mail"))
    assert prefs[Kind.MENTION] == (True, True) and prefs[Kind.SLA_WARNING] == (False, False)
    assert prefs[Kind.ASSIGNED] == (True, False)
    page = client.get(reverse("notifications:preferences"))
    assert 'name="mention_mail" id="id_mention_mail" checked' in page.text


def test_it_serves_the_list_and_marking_read_in_the_api(client, world):
    ticket_actions.add_note(ticket=world.ticket, author=world.agent, text="@tom API?")
    _token, plain = create_token(user=world.teammate, name="test")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {plain}"}
    listed = client.get("/api/notifications", **auth)
    assert listed.status_code == 200
    body = listed.json()
    assert body["unread"] == 1 and body["items"][0]["case"] == world.ticket.number
    assert body["items"][0]["kind"] == "mention" and not body["items"][0]["read"]
    other = Notification.objects.create(recipient=world.agent, kind=Kind.MENTION, key="x", ticket=world.ticket,
                                        created_at=body["items"][0]["created_at"])
    marked = client.post("/api/notifications/read", json.dumps({"ids": [body["items"][0]["id"], other.pk]}),
                         content_type="application/json", **auth)
    assert marked.status_code == 200 and marked.json() == {"marked": 1, "unread": 0}
    other.refresh_from_db()
    assert other.read_at is None  # someone else's notification is not touched
    assert client.get("/api/notifications").status_code == 401


def test_it_completes_mentions_with_colleagues_who_may_see_the_case(client, world):
    client.force_login(world.agent)
    url = reverse("tickets:colleagues", args=[world.ticket.number])
    people = client.get(url, {"q": "t"}).json()["people"]
    assert [p["username"] for p in people] == ["tom"]
    everyone = [p["username"] for p in client.get(url).json()["people"]]
    assert "lena" in everyone and "olga" not in everyone and "anna" not in everyone
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404
