from django.urls import reverse

from anliegen.replies.models import Signature
from anliegen.testing import PASSWORD


def test_an_agent_sets_their_own_signatures(client, world):
    client.login(username="anna", password=PASSWORD)
    assert client.get(reverse("replies:signatures")).status_code == 200
    response = client.post(reverse("replies:signatures"), {"text_de": "Viele Grüße\n{{ agent.name }}",
                                                           "text_da": "Venlig hilsen", "text_en": ""})
    assert response.status_code == 302
    assert dict(Signature.objects.filter(user=world.agent).values_list("language", "text")) == {
        "de": "Viele Grüße\n{{ agent.name }}", "da": "Venlig hilsen"}
    client.post(reverse("replies:signatures"), {"text_de": "", "text_da": "Venlig hilsen", "text_en": ""})
    assert list(Signature.objects.filter(user=world.agent).values_list("language", flat=True)) == ["da"]


def test_an_unknown_variable_in_a_signature_is_refused(client, world):
    client.login(username="anna", password=PASSWORD)
    response = client.post(reverse("replies:signatures"), {"text_de": "{{ agent.telefon }}", "text_da": "",
                                                           "text_en": ""})
    assert response.status_code == 400 and "{{ agent.telefon }}" in response.text
    assert not Signature.objects.exists()


def test_only_leads_set_team_signatures(client, world):
    url = reverse("replies:team_signatures", args=[world.support.slug])
    client.login(username="anna", password=PASSWORD)
    assert client.get(url).status_code == 403
    client.login(username="lena", password=PASSWORD)
    response = client.post(url, {"text_de": "Ihr {{ team.name }}", "text_da": "", "text_en": ""})
    assert response.status_code == 302
    assert Signature.objects.get(team=world.support).text == "Ihr {{ team.name }}"
