from django.urls import reverse

from anliegen.replies.models import Macro
from anliegen.replies.tests.helpers import make_macro, make_reply
from anliegen.testing import PASSWORD


def test_a_lead_creates_edits_and_deletes_a_macro(client, world):
    reply = make_reply(world.lead)
    client.login(username="lena", password=PASSWORD)
    response = client.post(reverse("replies:macro_new"), {
        "name": "Erstattung", "reply": reply.pk, "status": "solved", "priority": "", "team": "",
        "add_tags": "Erstattung, zahlung", "remove_tags": "", "active": "on"})
    assert response.status_code == 302
    macro = Macro.objects.get()
    assert (macro.reply, macro.status, macro.priority, macro.add_tags) == (reply, "solved", None,
                                                                           ["erstattung", "zahlung"])
    response = client.post(reverse("replies:macro_edit", args=[macro.pk]), {
        "name": "Erstattung", "reply": reply.pk, "status": "", "priority": "3", "team": world.support.pk,
        "add_tags": "", "remove_tags": "", "active": "on"})
    macro.refresh_from_db()
    assert (macro.status, macro.priority, macro.team) == ("", 3, world.support)
    client.post(reverse("replies:macro_delete", args=[macro.pk]))
    assert not Macro.objects.exists()


def test_an_empty_macro_is_refused_with_a_message(client, world):
    client.login(username="lena", password=PASSWORD)
    response = client.post(reverse("replies:macro_new"), {"name": "Leer", "status": "", "priority": "",
                                                          "add_tags": "", "remove_tags": ""})
    assert response.status_code == 400 and "A macro needs a standard reply" in response.text
    assert not Macro.objects.exists()


def test_agents_see_macros_but_cannot_change_them(client, world):
    macro = make_macro(world.lead, make_reply(world.lead))
    client.login(username="anna", password=PASSWORD)
    response = client.get(reverse("replies:macros"))
    assert response.status_code == 200 and macro.name in response.text
    assert client.post(reverse("replies:macro_delete", args=[macro.pk])).status_code == 403
    assert Macro.objects.exists()
