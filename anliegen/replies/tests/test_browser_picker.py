"""An agent answers a Danish customer with a standard reply chosen by keyboard."""

import pytest
from playwright.sync_api import expect

from anliegen import testing
from anliegen.replies.models import ReplyPick
from anliegen.replies.tests.helpers import make_reply
from anliegen.tickets.models import Message, MessageKind
from conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_picks_the_danish_variant_by_keyboard_and_sends_it(page, live_server, world):
    customer = testing.make_customer("Mette Nielsen", email="mette@example.dk", language="da")
    ticket = testing.make_ticket(team=world.support, customer=customer, subject="Beløb trukket to gange",
                                 text="Hej, I har trukket mit abonnement to gange denne måned.")
    make_reply(world.lead, "Router neu starten", texts={"de": "Bitte Router neu starten.", "da": "Genstart routeren."})
    reply = make_reply(world.lead, "Doppelte Abbuchung erstatten", group="Rechnung")
    make_reply(world.lead, "Doppelte Anmeldung", texts={"de": "Sie sind doppelt angemeldet.",
                                                        "da": "Du er tilmeldt to gange."})

    login(page, live_server, "anna")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"{live_server.url}/cases/{ticket.number}/")
    search = page.locator("[data-picker-search]")
    expect(search).to_be_visible()
    search.click()
    search.press_sequentially("doppelte")
    items = page.locator(".picker-item:not([hidden])")
    expect(items).to_have_count(2)
    # Walk the list by keyboard to the refund reply and open its preview with Enter.
    for _ in range(2):
        if "erstatten" in page.locator(".picker-item.active").inner_text():
            break
        search.press("ArrowDown")
    expect(page.locator(".picker-item.active")).to_contain_text("Doppelte Abbuchung erstatten")
    search.press("Enter")

    chosen = page.locator("[data-picker-chosen]")
    expect(chosen).to_be_visible()
    expect(chosen.locator("[data-preview-language]")).to_have_text("da")
    expect(chosen.locator("[data-picker-text]")).to_contain_text("Kære Mette Nielsen")
    expect(page.locator("[data-picker-insert]")).to_be_focused()
    page.keyboard.press("Enter")  # insert

    textarea = page.locator("#id_reply_text")
    expect(textarea).to_have_value(f"Kære Mette Nielsen\n\nvi refunderer det dobbelte beløb (sag {ticket.number}).")
    page.click("button[name=send]")
    expect(page.locator("#conversation article.reply")).to_contain_text("vi refunderer det dobbelte beløb")

    sent = Message.objects.get(ticket=ticket, kind=MessageKind.REPLY)
    assert sent.text.startswith("Kære Mette Nielsen") and sent.author_user == world.agent
    pick = ReplyPick.objects.get(ticket=ticket)
    assert (pick.reply, pick.language, pick.user) == (reply, "da", world.agent)


def test_the_editor_preview_names_an_unknown_variable(page, live_server, world):
    login(page, live_server, "lena")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"{live_server.url}/replies/new/")
    page.fill("#id_name", "Rückruf")
    page.fill("#id_text_da", "Kære {{ customer.name }}, vi ringer {{ kunde.telefon }}.")
    page.click("button[hx-post]")
    preview = page.locator("#preview")
    expect(preview).to_contain_text("Kære Erika Mustermann, vi ringer {{ kunde.telefon }}.")
    expect(preview.locator("[role=alert]")).to_contain_text("{{ kunde.telefon }}")
    page.click("#reply-form button[type=submit]")
    expect(page.locator(".errorlist")).to_contain_text("Unknown variable: {{ kunde.telefon }}")
