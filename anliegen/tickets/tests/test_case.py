import re

from django.urls import reverse

from anliegen import testing
from anliegen.tickets import actions
from anliegen.tickets.models import AccessLog, Channel, Message, MessageKind
from anliegen.tickets.storage import IncomingFile
from django.core.files.uploadedfile import SimpleUploadedFile

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def _case(ticket) -> str:
    return reverse("tickets:case", args=[ticket.number])


def _token(response, form: str = "reply") -> str:
    return response.context[f"{form}_form"].initial["form_token"]


def test_it_shows_the_conversation_with_attachments(anna, world):
    ticket = testing.make_ticket(team=world.support, customer=world.customer, subject="Mit Anhang", attachments=[
        IncomingFile(filename="foto.png", content_type="image/png", data=PNG),
        IncomingFile(filename="vertrag.pdf", content_type="application/pdf", data=b"%PDF-1.4 ..."),
    ])
    response = anna.get(_case(ticket))
    assert response.status_code == 200
    ids = {a.filename: a.pk for a in Message.objects.get(ticket=ticket).attachments.all()}
    assert f'<img src="/attachments/{ids["foto.png"]}/"' in response.text
    assert "vertrag.pdf" in response.text and f'href="/attachments/{ids["vertrag.pdf"]}/"' in response.text
    assert anna.get(f"/attachments/{ids['foto.png']}/").status_code == 200
    assert AccessLog.objects.filter(ticket=ticket, user=world.agent, via="web").exists()


def test_the_customer_panel_shows_their_visible_cases_across_channels(anna, world):
    call = testing.make_ticket(team=world.support, customer=world.customer, subject="Anruf wegen Vertrag",
                               channel=Channel.PHONE)
    response = anna.get(_case(world.ticket))
    panel = response.text.split("All cases of this customer")[1].split("</ul>")[0]
    assert call.number in panel and "Phone" in panel
    assert world.ticket.number in panel  # the case itself, marked as the current one
    assert world.confidential_ticket.number not in panel  # a confidential team's case stays hidden
    assert "Krankenakte" not in response.text


def test_the_history_names_teams_and_people(lena, world):
    actions.assign_ticket(ticket=world.ticket, assignee=world.teammate, actor=world.lead)
    actions.move_to_team(ticket=world.ticket, team=world.commercial, actor=world.lead)
    actions.set_status(ticket=world.ticket, status="pending", actor=world.lead)
    response = lena.get(_case(world.ticket))
    history = response.text.split('<ul class="history">')[1].split("</ul>")[0]
    assert "Technischer Support → Kaufmännischer Support" in history
    assert "— → Tom" in history
    assert "New → Pending" in history
    assert "Lena" in history
    assert not re.search(r": \d+ → \d+", history)


def test_it_refuses_an_empty_reply_with_a_message(anna, world):
    response = anna.post(reverse("tickets:reply", args=[world.ticket.number]), {"text": "   "})
    assert response.status_code == 400
    assert "Write a reply before sending." in response.text
    assert not Message.objects.filter(ticket=world.ticket, kind=MessageKind.REPLY).exists()


def test_an_unknown_case_number_gives_a_404_page(anna, world):
    for number in ("A-999999", "kaputt", "A-1"):
        response = anna.get(reverse("tickets:case", args=[number]))
        assert response.status_code == 404
        assert "No such case" in response.text
    assert anna.get(_case(world.other_ticket)).status_code == 404
    assert anna.post(reverse("tickets:reply", args=["A-999999"]), {"text": "x"}).status_code == 404


def test_it_refuses_an_oversize_attachment_next_to_the_field(anna, world, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("gross.pdf", b"x" * (2 * 1024 * 1024), content_type="application/pdf")
    response = anna.post(reverse("tickets:reply", args=[world.ticket.number]), {"text": "Anbei", "attachments": big})
    assert response.status_code == 400
    assert "gross.pdf is too large" in response.text
    field = response.text.split('id="id_reply_attachments"')[1].split("</div>")[0]
    assert "too large" in field
    assert "Anbei" in response.text  # what was typed is kept
    assert not Message.objects.filter(ticket=world.ticket, kind=MessageKind.REPLY).exists()


def test_it_refuses_a_blocked_file_type(anna, world):
    bad = SimpleUploadedFile("rechnung.exe", b"MZ...", content_type="application/octet-stream")
    response = anna.post(reverse("tickets:reply", args=[world.ticket.number]), {"text": "Anbei", "attachments": bad})
    assert response.status_code == 400
    assert "Files of type .exe are not accepted" in response.text
    assert not Message.objects.filter(ticket=world.ticket, kind=MessageKind.REPLY).exists()


def test_it_stores_a_reply_with_its_attachment(anna, world):
    ok = SimpleUploadedFile("anleitung.txt", b"Schritt 1", content_type="text/plain")
    response = anna.post(reverse("tickets:reply", args=[world.ticket.number]), {"text": "Anbei", "attachments": ok})
    assert response.status_code == 302
    reply = Message.objects.get(ticket=world.ticket, kind=MessageKind.REPLY)
    assert [a.filename for a in reply.attachments.all()] == ["anleitung.txt"]


def test_a_reply_posted_twice_is_stored_once(anna, world):
    token = _token(anna.get(_case(world.ticket)))
    url = reverse("tickets:reply", args=[world.ticket.number])
    first = anna.post(url, {"text": "Bitte neu starten.", "form_token": token}, follow=True)
    second = anna.post(url, {"text": "Bitte neu starten.", "form_token": token}, follow=True)
    assert "is being sent by e-mail to erika@example.org" in first.text
    assert "stored once" in second.text
    assert Message.objects.filter(ticket=world.ticket, kind=MessageKind.REPLY).count() == 1
    # A fresh form (new token) is a new reply.
    third_token = _token(anna.get(_case(world.ticket)))
    assert third_token != token
    anna.post(url, {"text": "Noch etwas.", "form_token": third_token})
    assert Message.objects.filter(ticket=world.ticket, kind=MessageKind.REPLY).count() == 2


def test_a_note_posted_twice_is_stored_once(anna, world):
    token = _token(anna.get(_case(world.ticket)), "note")
    url = reverse("tickets:note", args=[world.ticket.number])
    anna.post(url, {"text": "Kunde ruft morgen an.", "form_token": token})
    anna.post(url, {"text": "Kunde ruft morgen an.", "form_token": token})
    assert Message.objects.filter(ticket=world.ticket, kind=MessageKind.NOTE).count() == 1


def test_the_case_view_survives_a_panel_without_a_url(anna, world):
    from anliegen.tickets import hooks

    hooks.register_panel(hooks.Panel(name="test_missing", title="Missing", url_name="nowhere:panel"))
    try:
        assert anna.get(_case(world.ticket)).status_code == 200
    finally:
        hooks._panels[:] = [p for p in hooks._panels if p.name != "test_missing"]


def _fields(ticket, **values) -> dict:
    data = {"status": ticket.status, "priority": str(ticket.priority), "team": str(ticket.team_id),
            "assignee": str(ticket.assignee_id or "")}
    return {**data, **values}


def test_the_field_form_changes_every_field_in_one_action(anna, world):
    response = anna.post(reverse("tickets:fields", args=[world.ticket.number]),
                         _fields(world.ticket, status="pending", priority="3", assignee=str(world.teammate.pk)))
    assert response.status_code == 302
    world.ticket.refresh_from_db()
    assert (world.ticket.status, world.ticket.priority, world.ticket.assignee) == ("pending", 3, world.teammate)
    assert sorted(world.ticket.events.exclude(kind="created").values_list("field", flat=True)) == [
        "assignee", "priority", "status"]


def test_a_refused_field_form_leaves_case_and_history_untouched(lena, world):
    # Moving the case to commercial with Tom (a support agent) as assignee is refused as a whole:
    # the status and priority chosen in the same form are not written either.
    before = list(world.ticket.events.values_list("id", flat=True))
    response = lena.post(reverse("tickets:fields", args=[world.ticket.number]),
                         _fields(world.ticket, status="solved", priority="4", team=str(world.commercial.pk),
                                 assignee=str(world.teammate.pk)))
    assert response.status_code == 400
    assert "Tom is not a member of Kaufmännischer Support and cannot be assigned its cases." in response.text
    world.ticket.refresh_from_db()
    assert (world.ticket.status, world.ticket.priority, world.ticket.team, world.ticket.assignee) == (
        "new", 2, world.support, None)
    assert list(world.ticket.events.values_list("id", flat=True)) == before


def test_saving_other_fields_keeps_an_assignee_from_outside_the_team(anna, world):
    actions.assign_ticket(ticket=world.ticket, assignee=world.lead, actor=world.lead)
    response = anna.get(_case(world.ticket))
    assert f'<option value="{world.lead.pk}" selected>' in response.text
    anna.post(reverse("tickets:fields", args=[world.ticket.number]), _fields(world.ticket, status="pending"))
    world.ticket.refresh_from_db()
    assert (world.ticket.status, world.ticket.assignee) == ("pending", world.lead)
