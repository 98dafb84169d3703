"""Staff sessions: they end after inactivity, and "sign out everywhere" ends all of them."""

import datetime
import time

from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from anliegen.testing import PASSWORD


def signed_in(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def test_it_signs_out_on_every_device(world):
    laptop, phone, other = signed_in("anna"), signed_in("anna"), signed_in("tom")
    assert phone.get(reverse("tickets:mine")).status_code == 200
    response = laptop.post(reverse("accounts:sign_out_everywhere"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    for client in (laptop, phone):
        response = client.get(reverse("tickets:mine"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert other.get(reverse("tickets:mine")).status_code == 200  # others stay signed in
    world.agent.refresh_from_db()
    assert world.agent.session_epoch == 1
    again = signed_in("anna")  # signing in again works as before
    assert again.get(reverse("tickets:mine")).status_code == 200


def test_it_only_signs_out_by_post(world):
    client = signed_in("anna")
    assert client.get(reverse("accounts:sign_out_everywhere")).status_code == 405
    assert client.get(reverse("tickets:mine")).status_code == 200


def test_it_ends_a_session_after_the_configured_inactivity(world, settings):
    settings.SESSION_COOKIE_AGE = 30 * 60
    client = signed_in("anna")
    client.get(reverse("tickets:mine"))
    session = Session.objects.get()
    expected = timezone.now() + datetime.timedelta(minutes=30)
    assert abs((session.expire_date - expected).total_seconds()) < 60
    # Idle for longer than the limit: the session is gone.
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get(reverse("tickets:mine"))["Location"].startswith(reverse("accounts:login"))


def test_it_keeps_an_active_session_alive(world, settings):
    settings.SESSION_COOKIE_AGE = 30 * 60
    client = signed_in("anna")
    session = client.session
    session["_seen"] = int(time.time()) - 120  # the last refresh two minutes ago
    session.save()
    Session.objects.update(expire_date=timezone.now() + datetime.timedelta(minutes=5))
    assert client.get(reverse("tickets:mine")).status_code == 200
    assert Session.objects.get().expire_date > timezone.now() + datetime.timedelta(minutes=29)
