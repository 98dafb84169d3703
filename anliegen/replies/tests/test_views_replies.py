from django.urls import reverse

from anliegen.replies.models import ReplyVariant, StandardReply
from anliegen.replies.tests.helpers import make_reply
from anliegen.testing import PASSWORD

FORM = {"name": "Zählerstand korrigiert", "group": "Technik", "category": "general", "team": "", "doc": "",
        "keywords": "Zählerstand falsch", "text_de": "Guten Tag {{ customer.name }}, korrigiert.",
        "text_da": "Kære {{ customer.name }}, rettet.", "text_en": "", "active": "on"}


def test_agents_read_the_list_and_details(client, world):
    reply = make_reply(world.lead)
    client.login(username="anna", password=PASSWORD)
    response = client.get(reverse("replies:list"), {"q": "doppelte"})
    assert response.status_code == 200 and reply.name in response.text
    assert reverse("replies:new") not in response.text
    detail = client.get(reverse("replies:detail", args=[reply.pk]))
    assert detail.status_code == 200 and "Erika Mustermann" in detail.text and "A-100042" in detail.text


def test_agents_cannot_change_replies(client, world):
    reply = make_reply(world.lead)
    client.login(username="anna", password=PASSWORD)
    assert client.get(reverse("replies:new")).status_code == 403
    assert client.post(reverse("replies:new"), FORM).status_code == 403
    assert client.post(reverse("replies:edit", args=[reply.pk]), FORM).status_code == 403
    assert client.post(reverse("replies:archive", args=[reply.pk])).status_code == 403
    assert StandardReply.objects.get(pk=reply.pk).active and StandardReply.objects.count() == 1


def test_a_lead_creates_a_reply(client, world):
    client.login(username="lena", password=PASSWORD)
    assert client.get(reverse("replies:new")).status_code == 200
    response = client.post(reverse("replies:new"), FORM)
    reply = StandardReply.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("replies:detail", args=[reply.pk])
    assert set(ReplyVariant.objects.filter(reply=reply).values_list("language", flat=True)) == {"de", "da"}


def test_an_unknown_variable_is_named_next_to_its_field(client, world):
    client.login(username="lena", password=PASSWORD)
    response = client.post(reverse("replies:new"), {**FORM, "text_da": "Kære {{ kunde.navn }}"})
    assert response.status_code == 400
    assert "Unknown variable: {{ kunde.navn }}" in response.text
    assert not StandardReply.objects.exists()


def test_the_preview_reports_unknown_variables(client, world):
    client.login(username="lena", password=PASSWORD)
    response = client.post(reverse("replies:preview"), {"text_de": "Hallo {{ customer.name }} {{ foo }}",
                                                        "text_da": "", "text_en": "<script>alert(1)</script>"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Hallo Erika Mustermann {{ foo }}" in response.text
    assert "Unknown variables" in response.text and "<code>{{ foo }}</code>" in response.text
    assert "<script>alert(1)</script>" not in response.text and "&lt;script&gt;" in response.text


def test_a_lead_edits_and_archives_a_reply(client, world):
    reply = make_reply(world.lead)
    client.login(username="lena", password=PASSWORD)
    assert client.get(reverse("replies:edit", args=[reply.pk])).status_code == 200
    response = client.post(reverse("replies:edit", args=[reply.pk]), FORM)
    assert response.status_code == 302
    assert StandardReply.objects.get(pk=reply.pk).name == FORM["name"]
    client.post(reverse("replies:archive", args=[reply.pk]))
    assert not StandardReply.objects.get(pk=reply.pk).active
    assert FORM["name"] not in client.get(reverse("replies:list")).text


def test_the_list_needs_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    for i in range(15):
        make_reply(world.lead, f"Antwort {i}", team=world.support)
    client.login(username="anna", password=PASSWORD)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("replies:list")).status_code == 200
