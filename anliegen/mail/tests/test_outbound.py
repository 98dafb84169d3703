"""Outbound mail: the outbox row is written with the reply, sent over SMTP (to an aiosmtpd
capture server) with threading headers, text and HTML parts and attachments; failures are
retried with backoff, end as "failed" visible on the case, and can be sent again."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from anliegen.runtime import periodic
from anliegen.mail import outbound
from anliegen.mail.ingest import ingest_mail
from anliegen.mail.models import Mailbox, Outbox, OutboxKind, OutboxStatus
from anliegen.mail.tests.rawmail import make_raw
from anliegen.testing import PASSWORD, make_customer, make_ticket
from anliegen.tickets.actions import add_reply
from anliegen.tickets.models import Channel, Message
from anliegen.tickets.storage import IncomingFile

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailbox(world):
    return Mailbox.objects.create(name="Support", team=world.support, address="support@anliegen.example")


def mail_case(mailbox, **raw_fields):
    """A case opened by a customer's mail through the mailbox."""
    raw_fields.setdefault("sender", "Max Muster <max@example.net>")
    raw_fields.setdefault("to", mailbox.address)
    raw_fields.setdefault("subject", "Router startet nicht")
    raw_fields.setdefault("message_id", "first.1@mail.example.net")
    result = ingest_mail(make_raw(**raw_fields), source="imap", mailbox=mailbox)
    return result.ticket


def outbox_of(ticket) -> list[Outbox]:
    return list(Outbox.objects.filter(ticket=ticket).order_by("id"))


def test_a_reply_writes_an_outbox_row_with_threading_headers(world, mailbox):
    ticket = mail_case(mailbox, references=["older.0@mail.example.net"])

    reply = add_reply(ticket=ticket, author=world.agent, text="Bitte starten Sie den Router neu.")

    [row] = outbox_of(ticket)
    assert row.kind == OutboxKind.REPLY and row.status == OutboxStatus.PENDING
    assert row.ticket_message == reply and row.to == "max@example.net"
    assert row.subject == f"Re: Router startet nicht [#{ticket.number}]"
    assert row.in_reply_to == "first.1@mail.example.net"
    assert row.references == "older.0@mail.example.net first.1@mail.example.net"
    assert row.message_id.endswith("@anliegen.example")
    assert Message.objects.get(pk=reply.pk).message_id == row.message_id
    assert "support@anliegen.example" in row.from_address and world.support.name in row.from_address


def test_the_outbox_row_rolls_back_with_the_reply(world, mailbox):
    ticket = mail_case(mailbox)
    with pytest.raises(RuntimeError), transaction.atomic():
        add_reply(ticket=ticket, author=world.agent, text="Wird zurückgerollt.")
        raise RuntimeError("the request failed after the reply")
    assert outbox_of(ticket) == []
    assert not Message.objects.filter(ticket=ticket, kind="reply").exists()


def test_a_reply_goes_to_the_reply_to_address_of_the_last_mail(world, mailbox):
    ticket = mail_case(mailbox, headers={"Reply-To": "Max Büro <buero@example.net>", "Cc": "kollege@example.net"})
    add_reply(ticket=ticket, author=world.agent, text="Antwort")
    [row] = outbox_of(ticket)
    assert row.to == "buero@example.net" and row.cc == "kollege@example.net"


def test_a_reply_on_a_case_without_a_mail_goes_to_the_customers_address(world):
    add_reply(ticket=world.ticket, author=world.agent, text="Antwort")
    [row] = outbox_of(world.ticket)
    assert row.to == "erika@example.org" and row.in_reply_to == ""
    assert f"[#{world.ticket.number}]" in row.subject


@pytest.mark.parametrize("channel", [Channel.PHONE, Channel.PORTAL, Channel.WEBFORM])
def test_it_mails_a_reply_whatever_channel_opened_the_case(world, channel):
    ticket = make_ticket(team=world.support, customer=world.customer, channel=channel, subject="Anruf")
    reply = add_reply(ticket=ticket, author=world.agent, text="Wie besprochen.")
    [row] = outbox_of(ticket)
    assert row.to == "erika@example.org" and row.status == OutboxStatus.PENDING
    reply.refresh_from_db()
    assert reply.channel == Channel.EMAIL and reply.meta["delivery"] == {"channel": "email", "to": "erika@example.org"}


def test_it_keeps_a_reply_to_a_customer_without_address_in_the_portal(world):
    customer = make_customer("Ohne Adresse")
    customer.emails.all().delete()
    ticket = make_ticket(team=world.support, customer=customer, subject="Brief", channel=Channel.PHONE)
    reply = add_reply(ticket=ticket, author=world.agent, text="Antwort")
    assert outbox_of(ticket) == []
    reply.refresh_from_db()
    assert reply.channel == Channel.PORTAL and reply.message_id == ""


def test_it_gives_the_reply_its_message_id_when_storing_it(world, mailbox):
    ticket = mail_case(mailbox)
    reply = add_reply(ticket=ticket, author=world.agent, text="Antwort")
    [row] = outbox_of(ticket)
    # Stored with the id, not updated afterwards by the mail app.
    assert reply.message_id and reply.message_id == row.message_id
    assert Message.objects.get(pk=reply.pk).message_id == row.message_id


def test_the_mail_app_does_not_update_the_reply(world, mailbox, django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ticket = mail_case(mailbox)
    with CaptureQueriesContext(connection) as queries:
        add_reply(ticket=ticket, author=world.agent, text="Antwort")
    message_table = Message._meta.db_table
    updates = [q["sql"] for q in queries if q["sql"].startswith("UPDATE") and f'"{message_table}"' in q["sql"]]
    assert updates == []


def test_it_sends_the_reply_with_headers_parts_and_attachments(world, mailbox, smtp_to_capture):
    ticket = mail_case(mailbox, references=["older.0@mail.example.net"])
    add_reply(ticket=ticket, author=world.agent, text="Siehe Anhang.\n\nViele Grüße",
              html="<p>Siehe <strong>Anhang</strong>.</p>",
              attachments=[IncomingFile("anleitung.pdf", "application/pdf", b"%PDF-1.4 test")])
    [row] = outbox_of(ticket)

    summary = outbound.send_due()

    assert (summary.sent, summary.failed) == (1, 0)
    [captured] = smtp_to_capture.wait_for(1)
    assert captured.rcpt_tos == ["max@example.net"]
    mail = captured.message
    assert mail["Message-ID"] == f"<{row.message_id}>"
    assert mail["In-Reply-To"] == "<first.1@mail.example.net>"
    assert mail["References"] == "<older.0@mail.example.net> <first.1@mail.example.net>"
    assert f"[#{ticket.number}]" in mail["Subject"] and mail["Subject"].startswith("Re: ")
    assert "Auto-Submitted" not in mail
    assert "Siehe Anhang." in mail.get_body(("plain",)).get_content()
    assert "<strong>Anhang</strong>" in mail.get_body(("html",)).get_content()
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_filename() == "anleitung.pdf" and attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == b"%PDF-1.4 test"
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT and row.sent_at is not None and row.attempts == 1


def test_the_customers_answer_to_a_sent_reply_joins_the_case(world, mailbox, smtp_to_capture):
    ticket = mail_case(mailbox)
    add_reply(ticket=ticket, author=world.agent, text="Bitte neu starten.")
    outbound.send_due()
    sent = smtp_to_capture.wait_for(1)[0].message

    answer = make_raw(sender="max@example.net", to=mailbox.address, subject=sent["Subject"].replace("Re: ", "AW: "),
                      in_reply_to=sent["Message-ID"].strip("<>"),
                      references=[r.strip("<>") for r in sent["References"].split()] + [sent["Message-ID"].strip("<>")],
                      text="Hat geklappt, danke!")
    result = ingest_mail(answer, source="imap", mailbox=mailbox)

    assert result.ticket == ticket
    assert ticket.messages.filter(kind="inbound").count() == 2


def test_a_failed_send_is_retried_with_backoff_and_then_failed(world, mailbox, smtp_to_capture, settings):
    settings.MAIL_SEND_MAX_ATTEMPTS = 3
    smtp_to_capture.fail_with = "451 4.3.0 Mailbox busy, try later"
    ticket = mail_case(mailbox)
    add_reply(ticket=ticket, author=world.agent, text="Antwort")
    [row] = outbox_of(ticket)

    delays = []
    for attempt in (1, 2, 3):
        before = timezone.now()
        summary = outbound.send_due()
        row.refresh_from_db()
        assert row.attempts == attempt and "451" in row.last_error
        if attempt < 3:
            assert summary.retrying == 1 and row.status == OutboxStatus.PENDING
            delays.append(row.next_attempt_at - before)
            assert outbound.send_due().retrying == 0  # not due yet
            Outbox.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        else:
            assert summary.failed == 1 and row.status == OutboxStatus.FAILED
    assert datetime.timedelta(seconds=55) < delays[0] <= datetime.timedelta(seconds=61)
    assert datetime.timedelta(seconds=115) < delays[1] <= datetime.timedelta(seconds=121)
    assert smtp_to_capture.mails == []


def test_a_permanent_refusal_fails_at_once(world, mailbox, smtp_to_capture):
    smtp_to_capture.fail_with = "550 5.1.1 No such user"
    ticket = mail_case(mailbox)
    add_reply(ticket=ticket, author=world.agent, text="Antwort")
    outbound.send_due()
    [row] = outbox_of(ticket)
    assert row.status == OutboxStatus.FAILED and row.attempts == 1 and "550" in row.last_error


def test_an_unreachable_mail_server_is_retried(world, mailbox, settings):
    from anliegen.mail.testing_servers import free_port

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                    "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 5}}}
    ticket = mail_case(mailbox)
    add_reply(ticket=ticket, author=world.agent, text="Antwort")
    summary = outbound.send_due()
    [row] = outbox_of(ticket)
    assert summary.retrying == 1 and row.status == OutboxStatus.PENDING and row.last_error


def test_the_case_panel_shows_a_failed_mail_and_sends_it_again(client, world, mailbox, smtp_to_capture):
    smtp_to_capture.fail_with = "554 5.7.1 Rejected by policy"
    ticket = mail_case(mailbox)
    add_reply(ticket=ticket, author=world.agent, text="Antwort")
    outbound.send_due()
    [row] = outbox_of(ticket)
    client.login(username="anna", password=PASSWORD)

    panel = client.get(f"/mail/cases/{ticket.number}/outbox/")
    assert panel.status_code == 200
    html = panel.content.decode()
    assert "Failed" in html and "Rejected by policy" in html and "Send again" in html

    smtp_to_capture.fail_with = ""
    response = client.post(f"/mail/cases/{ticket.number}/outbox/{row.pk}/retry/", headers={"HX-Request": "true"})
    assert response.status_code == 200 and "will be sent again" in response.content.decode()
    row.refresh_from_db()
    assert row.status == OutboxStatus.PENDING and row.attempts == 0
    outbound.send_due()
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT and len(smtp_to_capture.wait_for(1)) == 1


def test_the_retry_of_another_teams_case_is_not_found(client, world, mailbox):
    ticket = mail_case(mailbox)
    add_reply(ticket=ticket, author=world.agent, text="Antwort")
    [row] = outbox_of(ticket)
    Outbox.objects.filter(pk=row.pk).update(status=OutboxStatus.FAILED)
    client.login(username="olga", password=PASSWORD)
    assert client.post(f"/mail/cases/{ticket.number}/outbox/{row.pk}/retry/").status_code == 404
    row.refresh_from_db()
    assert row.status == OutboxStatus.FAILED


def test_a_row_is_claimed_by_one_worker_only(world, mailbox, smtp_to_capture):
    ticket = mail_case(mailbox)
    add_reply(ticket=ticket, author=world.agent, text="Antwort")
    [row] = outbox_of(ticket)
    now = timezone.now()
    assert outbound.claim(row.pk, now) is True
    assert outbound.claim(row.pk, now) is False
    assert outbound.send_due().sent == 0  # claimed by the other worker: not sent again
    assert smtp_to_capture.mails == []


def test_a_claim_of_a_dead_worker_is_released(world, mailbox, smtp_to_capture):
    ticket = mail_case(mailbox)
    add_reply(ticket=ticket, author=world.agent, text="Antwort")
    [row] = outbox_of(ticket)
    Outbox.objects.filter(pk=row.pk).update(status=OutboxStatus.SENDING,
                                            claimed_at=timezone.now() - datetime.timedelta(hours=1))
    assert outbound.send_due().sent == 1
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT


def test_sending_is_enqueued_when_the_reply_commits(world, mailbox, django_capture_on_commit_callbacks):
    ticket = mail_case(mailbox)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        add_reply(ticket=ticket, author=world.agent, text="Antwort")
    assert len(callbacks) == 1
    assert DBTaskResult.objects.filter(task_path="anliegen.mail.tasks.send_outbox").count() == 1


def test_the_worker_polls_and_sends_periodically():
    names = {job.name for job in periodic.jobs()}
    assert {"mail.poll_mailboxes", "mail.send_outbox"} <= names


# --- acknowledgements --------------------------------------------------------------------------

def test_a_new_case_by_mail_is_acknowledged_when_the_mailbox_wants_it(world, mailbox, smtp_to_capture):
    Mailbox.objects.filter(pk=mailbox.pk).update(send_acknowledgement=True)
    mailbox.refresh_from_db()
    ticket = mail_case(mailbox, sender="Jens Hansen <jens@example.dk>", subject="Faktura")

    [row] = outbox_of(ticket)
    assert row.kind == OutboxKind.ACKNOWLEDGEMENT and row.to == "jens@example.dk"
    assert row.in_reply_to == "first.1@mail.example.net"
    outbound.send_due()
    mail = smtp_to_capture.wait_for(1)[0].message
    assert mail["Auto-Submitted"] == "auto-replied"
    assert f"[#{ticket.number}]" in mail["Subject"]
    assert ticket.number in mail.get_body(("plain",)).get_content()
    assert mail.get_body(("html",)) is not None

    # The customer's next mail on the case is not acknowledged again.
    ingest_mail(make_raw(sender="jens@example.dk", to=mailbox.address, subject=f"Re: Faktura [#{ticket.number}]",
                         in_reply_to="first.1@mail.example.net"), source="imap", mailbox=mailbox)
    assert len(outbox_of(ticket)) == 1


def test_no_acknowledgement_for_an_auto_reply_or_without_the_setting(world, mailbox):
    quiet = mail_case(mailbox, message_id="quiet.1@example.net", sender="a@example.net")
    Mailbox.objects.filter(pk=mailbox.pk).update(send_acknowledgement=True)
    mailbox.refresh_from_db()
    vacation = mail_case(mailbox, message_id="away.1@example.net", sender="b@example.net", subject="Abwesend",
                         headers={"Auto-Submitted": "auto-replied"})
    assert outbox_of(quiet) == [] and outbox_of(vacation) == []
