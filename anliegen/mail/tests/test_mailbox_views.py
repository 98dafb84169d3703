"""The mailbox pages: admins add and change the mailboxes Anliegen reads; others see nothing."""

import pytest
from django.urls import reverse

from anliegen.accounts.models import Role
from anliegen.mail.models import Mailbox
from anliegen.testing import PASSWORD, make_agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(world):
    return make_agent("adam", role=Role.ADMIN)


def _form(world, **overrides):
    data = {
        "name": "Service", "team": world.support.pk, "address": "Service@Anliegen.example",
        "imap_host": "imap.anliegen.example", "imap_port": 993, "imap_user": "service",
        "imap_password": "geheim", "imap_folder": "INBOX", "use_ssl": "on", "processed_folder": "",
        "enabled": "on", "send_acknowledgement": "on",
    }
    data.update(overrides)
    return data


def test_it_hides_the_mailboxes_from_agents_and_leads(client, world):
    box = Mailbox.objects.create(name="Service", team=world.support, address="service@anliegen.example")
    for username in ("anna", "lena"):
        assert client.login(username=username, password=PASSWORD)
        assert client.get(reverse("mail:mailboxes")).status_code == 403
        assert client.post(reverse("mail:mailbox_edit", args=[box.pk]), _form(world, name="X")).status_code == 403
    box.refresh_from_db()
    assert box.name == "Service"


def test_it_adds_a_mailbox(client, admin, world):
    client.login(username="adam", password=PASSWORD)
    response = client.post(reverse("mail:mailbox_new"), _form(world))
    assert response.status_code == 302
    box = Mailbox.objects.get()
    assert (box.address, box.team, box.imap_password, box.send_acknowledgement) == (
        "service@anliegen.example", world.support, "geheim", True)
    listing = client.get(reverse("mail:mailboxes")).content.decode()
    assert "service@anliegen.example" in listing and "geheim" not in listing


def test_it_keeps_the_password_when_left_empty(client, admin, world):
    box = Mailbox.objects.create(name="Service", team=world.support, address="service@anliegen.example",
                                 imap_host="imap.anliegen.example", imap_user="service", imap_password="alt",
                                 uid_validity=7, last_uid=42)
    client.login(username="adam", password=PASSWORD)
    page = client.get(reverse("mail:mailbox_edit", args=[box.pk])).content.decode()
    assert "alt" not in page
    client.post(reverse("mail:mailbox_edit", args=[box.pk]), _form(world, imap_password="", team=world.commercial.pk))
    box.refresh_from_db()
    assert box.imap_password == "alt" and box.team == world.commercial and box.last_uid == 42
    client.post(reverse("mail:mailbox_edit", args=[box.pk]), _form(world, imap_password="", imap_folder="Support"))
    box.refresh_from_db()
    assert box.imap_folder == "Support" and box.last_uid is None  # another folder: UIDs start afresh


def test_it_says_what_is_wrong_next_to_the_field(client, admin, world):
    client.login(username="adam", password=PASSWORD)
    response = client.post(reverse("mail:mailbox_new"), _form(world, address="kein-mail", imap_user=""))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "address" in errors and "imap_user" in errors
    assert not Mailbox.objects.exists()


def test_it_refuses_a_second_mailbox_with_the_same_name(client, admin, world):
    Mailbox.objects.create(name="Service", team=world.support, address="a@anliegen.example")
    client.login(username="adam", password=PASSWORD)
    response = client.post(reverse("mail:mailbox_new"), _form(world))
    assert response.status_code == 400 and "name" in response.context["form"].errors
    assert Mailbox.objects.count() == 1
