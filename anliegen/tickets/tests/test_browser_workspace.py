import pytest

from anliegen.tickets.actions import add_customer_message
from anliegen.tickets.models import MessageKind, Ticket
from conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, live_server, username: str) -> None:
    login(page, live_server, username)
    page.wait_for_selector("nav.sidebar")


def test_it_replies_from_the_queue_and_shows_it_in_conversation_and_history(page, live_server, world):
    _sign_in(page, live_server, "anna")
    page.click(f"nav.sidebar >> text={world.support.name}")
    page.wait_for_selector(f"tr[data-case='{world.ticket.number}']")
    page.click(f"text={world.ticket.subject}")
    page.wait_for_selector("#id_reply_text")
    page.fill("#id_reply_text", "Bitte starten Sie den Router einmal neu.")
    page.click("button[name=send]")
    page.wait_for_selector("text=is being sent by e-mail to erika@example.org")
    reply = page.locator("#conversation article.reply")
    assert "Bitte starten Sie den Router einmal neu." in reply.inner_text()
    assert "Replied" in page.locator("ul.history").inner_text()
    assert Ticket.objects.get(pk=world.ticket.pk).messages.filter(kind=MessageKind.REPLY).count() == 1


def test_a_new_case_appears_in_an_open_queue_without_reload(new_page, live_server, world):
    watcher = new_page()
    _sign_in(watcher, live_server, "anna")
    watcher.goto(f"{live_server.url}/queues/{world.support.slug}/")
    watcher.wait_for_selector(f"tr[data-case='{world.ticket.number}']")
    watcher.evaluate("window.notReloaded = true")

    colleague = new_page()
    _sign_in(colleague, live_server, "tom")
    colleague.goto(f"{live_server.url}/cases/new/")
    colleague.fill("#id_customer_email", "anrufer@example.org")
    colleague.fill("#id_subject", "Glasfaser seit heute tot")
    colleague.fill("#id_text", "Der Kunde meldet einen Totalausfall.")
    colleague.select_option("#id_team", str(world.support.pk))
    colleague.click("button[name=open]")
    colleague.wait_for_selector("text=was opened")
    number = Ticket.objects.get(subject="Glasfaser seit heute tot").number

    watcher.wait_for_selector(f"tr[data-case='{number}']", timeout=5_000)
    first_row = watcher.locator("#queue-rows tr").first
    assert first_row.get_attribute("data-case") == number
    assert watcher.evaluate("window.notReloaded") is True
    assert watcher.locator(f"tr[data-case='{world.ticket.number}']").count() == 1

    # A case the customer wrote on again moves to the top, and is not shown twice.
    watcher.check(f"tr[data-case='{world.ticket.number}'] input[name=tickets]")
    add_customer_message(ticket=world.ticket, customer=world.customer, text="Es geht immer noch nicht.")
    watcher.wait_for_selector(f"#queue-rows tr:first-child[data-case='{world.ticket.number}']", timeout=5_000)
    assert watcher.locator(f"tr[data-case='{world.ticket.number}']").count() == 1
    assert watcher.is_checked(f"tr[data-case='{world.ticket.number}'] input[name=tickets]")


def test_the_first_agent_sees_the_second_open_and_type(new_page, live_server, world):
    first = new_page()
    _sign_in(first, live_server, "anna")
    first.goto(f"{live_server.url}/cases/{world.ticket.number}/")
    second = new_page()
    _sign_in(second, live_server, "tom")
    second.goto(f"{live_server.url}/cases/{world.ticket.number}/")
    first.wait_for_selector("text=Tom is viewing this case", timeout=6_000)
    second.type("#id_reply_text", "Ich übernehme das.")
    first.wait_for_selector("text=Tom is typing a reply", timeout=6_000)
