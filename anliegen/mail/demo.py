"""Demo data for mail: two mailboxes, a short mail thread, an out-of-office reply (in the list
of automatic mail), a bounce of a mail we no longer know (in the list of unmatched bounces)
and two mails in the quarantine, all stored through the real ingest."""

import random
from email.message import EmailMessage
from email.utils import format_datetime

from django.utils import timezone

from anliegen.accounts.models import Team
from anliegen.mail.ingest import ingest_mail
from anliegen.mail.models import Mailbox, Source


def _mail(*, sender: str, subject: str, text: str, message_id: str, in_reply_to: str = "",
          headers: dict[str, str] | None = None) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "service@anliegen.example"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(timezone.now())
    msg["Message-ID"] = f"<{message_id}>"
    if in_reply_to:
        msg["In-Reply-To"] = f"<{in_reply_to}>"
        msg["References"] = f"<{in_reply_to}>"
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(text)
    return msg.as_bytes()


def populate(rng: random.Random) -> None:
    teams = {t.slug: t for t in Team.objects.all()}
    support = teams.get("technischer-support") or Team.objects.order_by("id").first()
    if support is None:
        return
    billing = teams.get("kaufmaennischer-support") or support
    service = Mailbox.objects.create(name="Service", team=support, address="service@anliegen.example")
    Mailbox.objects.create(name="Rechnungen", team=billing, address="rechnung@anliegen.example")
    suffix = rng.randint(1000, 9999)
    first = f"demo-{suffix}-1@kunde.example"
    mails = [
        _mail(sender="Petra Klein <petra.klein@kunde.example>", subject="WLAN bricht ständig ab",
              text="Guten Tag,\n\nseit dem Update bricht unser WLAN alle paar Minuten ab.\n\nPetra Klein",
              message_id=first),
        _mail(sender="Petra Klein <petra.klein@kunde.example>", subject="Re: WLAN bricht ständig ab",
              text="Nachtrag: Es betrifft nur das 5-GHz-Netz.", message_id=f"demo-{suffix}-2@kunde.example",
              in_reply_to=first),
        _mail(sender="Lars Holm <lars.holm@firma.example>", subject="Automatisk svar: Faktura",
              text="Jeg er på ferie indtil mandag.", message_id=f"demo-{suffix}-3@firma.example",
              headers={"Auto-Submitted": "auto-replied"}),
    ]
    for raw in mails:
        ingest_mail(raw, source=Source.IMPORT, mailbox=service)
    ingest_mail(_bounce(f"reply.{suffix}.old@anliegen.example"), source=Source.SMTP, mailbox=service)
    # Two mails the admin finds in the quarantine: one unreadable, one without a sender.
    ingest_mail(b"\x00\x00\x00 transmission garbage from a broken relay", source=Source.SMTP, mailbox=service)
    ingest_mail(b"Subject: Ohne Absender\r\nTo: service@anliegen.example\r\n\r\nWer hat das geschickt?\r\n",
                source=Source.SMTP, mailbox=service)


def _bounce(original_id: str) -> bytes:
    """A delivery failure for a mail sent before Anliegen kept an outbox."""
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.kunde.example>\r\n"
        "To: service@anliegen.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: <bounce-{original_id}>\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="demo-bounce"\r\n\r\n'
        "--demo-bounce\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        "Your message could not be delivered to one or more recipients.\r\n\r\n"
        "--demo-bounce\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.kunde.example\r\n\r\n"
        "Final-Recipient: rfc822; j.weber@kunde.example\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 <j.weber@kunde.example>: mailbox unavailable\r\n\r\n"
        "--demo-bounce\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        "From: Service <service@anliegen.example>\r\nTo: j.weber@kunde.example\r\n"
        f"Subject: Ihre Anfrage\r\nMessage-ID: <{original_id}>\r\n\r\n"
        "--demo-bounce--\r\n"
    ).encode()
