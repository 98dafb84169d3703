from django.urls import reverse

from anliegen.replies import actions
from anliegen.replies.models import DocVersion, ProcessDoc
from anliegen.replies.tests.helpers import make_reply
from anliegen.testing import PASSWORD

BODY = "# Erstattung\n\n1. Buchung prüfen\n2. **Erstatten**\n"


def test_a_lead_writes_a_page_and_every_change_is_a_version(client, world):
    client.login(username="lena", password=PASSWORD)
    response = client.post(reverse("replies:doc_new"), {"title": "Erstattungen", "body": BODY,
                                                        "teams": [world.support.pk], "note": "Erste Fassung"})
    doc = ProcessDoc.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("replies:doc", args=[doc.slug])
    client.post(reverse("replies:doc_edit", args=[doc.slug]), {
        "title": "Erstattungen", "body": BODY + "3. Kunde informieren\n", "teams": [world.support.pk],
        "note": "Schritt 3"})
    doc.refresh_from_db()
    assert doc.version == 2 and doc.updated_by == world.lead
    assert list(DocVersion.objects.filter(doc=doc).values_list("number", "note")) == [
        (2, "Schritt 3"), (1, "Erste Fassung")]
    page = client.get(reverse("replies:doc", args=[doc.slug]))
    assert "<h1>Erstattung</h1>" in page.text and "<strong>Erstatten</strong>" in page.text
    history = client.get(reverse("replies:doc_history", args=[doc.slug]))
    assert "Schritt 3" in history.text and str(world.lead) in history.text
    version = client.get(reverse("replies:doc_version", args=[doc.slug, 2]))
    assert version.status_code == 200 and "+ 3. Kunde informieren" in version.text


def test_scripts_in_markdown_are_removed(client, world):
    doc = actions.save_doc(actor=world.lead, title="Gefährlich", body=(
        "Hallo <script>alert('x')</script> <img src=x onerror=alert(1)> [klick](javascript:alert(1))"))
    client.login(username="anna", password=PASSWORD)
    page = client.get(reverse("replies:doc", args=[doc.slug])).text
    article = page[page.index('<article class="doc-body">'):page.index("</article>")]
    assert "<script" not in article and "onerror" not in article and "javascript:" not in article
    assert "Hallo" in article


def test_pages_are_searchable_and_linked_from_teams_and_replies(client, world):
    doc = actions.save_doc(actor=world.lead, title="Störungen", body="Leitungstest starten", teams=[world.support])
    actions.save_doc(actor=world.lead, title="Kündigungen", body="Fristen prüfen", teams=[world.commercial])
    reply = make_reply(world.lead, doc=doc)
    client.login(username="anna", password=PASSWORD)
    found = client.get(reverse("replies:docs"), {"q": "leitungstest"}).text
    assert "Störungen" in found and "Kündigungen" not in found
    by_team = client.get(reverse("replies:docs"), {"team": world.support.slug}).text
    assert "Störungen" in by_team and "Kündigungen" not in by_team
    assert reverse("replies:doc", args=[doc.slug]) in client.get(reverse("replies:detail", args=[reply.pk])).text
    panel = client.get(reverse("replies:panel", args=[world.ticket.number])).text
    assert reverse("replies:doc", args=[doc.slug]) in panel


def test_agents_read_but_do_not_edit(client, world):
    doc = actions.save_doc(actor=world.lead, title="Störungen", body="Text")
    client.login(username="anna", password=PASSWORD)
    assert client.get(reverse("replies:doc", args=[doc.slug])).status_code == 200
    assert client.post(reverse("replies:doc_edit", args=[doc.slug]), {"title": "x", "body": "y"}).status_code == 403
    assert ProcessDoc.objects.get().version == 1


def test_an_empty_page_is_refused(client, world):
    client.login(username="lena", password=PASSWORD)
    response = client.post(reverse("replies:doc_new"), {"title": "Leer", "body": "   "})
    assert response.status_code == 400 and "The page is empty." in response.text
    assert not ProcessDoc.objects.exists()


def test_saving_unchanged_text_adds_no_version(world):
    doc = actions.save_doc(actor=world.lead, title="Störungen", body="Text")
    actions.save_doc(actor=world.agent, doc=doc, title="Störungen", body="Text")
    assert ProcessDoc.objects.get().version == 1 and DocVersion.objects.count() == 1


def test_a_team_queue_links_to_its_process_docs(client, world):
    client.login(username="anna", password=PASSWORD)
    queue = client.get(reverse("tickets:queue", args=[world.support.slug])).text
    assert f'{reverse("replies:docs")}?team={world.support.slug}' in queue
