"""Anna asks Tom in a note with @-completion; Tom's counter rises without a reload, the case
is in his "Mentioned" list until he opens it."""

import pytest

from conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_mentions_a_colleague_who_is_told_live(new_page, live_server, world):
    tom = new_page()
    login(tom, live_server, "tom")
    tom.wait_for_selector("[data-nav=notifications]")
    assert tom.locator("[data-nav=notifications] .badge.count").count() == 0

    anna = new_page()
    login(anna, live_server, "anna")
    anna.goto(f"{live_server.url}/cases/{world.ticket.number}/")
    note = anna.locator("#id_note_text")
    note.click()
    note.type("Kannst du helfen, @to")
    anna.wait_for_selector(".mention-list li[data-username=tom]")
    anna.screenshot(path="/tmp/team-mention-completion.png", full_page=False)
    note.press("Enter")
    assert note.input_value() == "Kannst du helfen, @tom "
    note.type("der Router startet in Schleife.")
    anna.click("#note button[type=submit]")
    anna.wait_for_selector("text=Your note was saved.")

    # Tom's side bar counts it without a reload (the badges poll like the live queue).
    tom.wait_for_selector("[data-nav=notifications] .badge.count:text('1')", timeout=25_000)
    tom.wait_for_selector("[data-nav=mentioned] .badge.count:text('1')", timeout=25_000)
    tom.click("[data-nav=mentioned]")
    tom.wait_for_selector(f"#mentioned tr[data-case='{world.ticket.number}']")
    tom.screenshot(path="/tmp/team-mentioned.png", full_page=True)
    tom.click(f"#mentioned a:text('{world.ticket.number}')")
    tom.wait_for_selector("text=@tom der Router startet in Schleife.")
    tom.click("[data-nav=mentioned]")
    tom.wait_for_selector("text=Nobody is waiting for you.")
    tom.click("[data-nav=notifications]")
    tom.wait_for_selector("tr[data-kind=mention]")
    tom.screenshot(path="/tmp/team-notifications.png", full_page=True)
