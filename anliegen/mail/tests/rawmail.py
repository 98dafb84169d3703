"""Build raw test mails (bytes) the way mail programs write them."""

import itertools
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.utils import timezone

_counter = itertools.count(1)


def make_raw(*, sender: str = "Erika Mustermann <erika@example.org>", to: str = "service@anliegen.example",
             subject: str = "Router startet nicht", text: str | None = None, html: str | None = None,
             message_id: str | None = None, in_reply_to: str | None = None, references: list[str] | None = None,
             headers: dict[str, str] | None = None,
             attachments: list[tuple[str, str, bytes]] = ()) -> bytes:
    n = next(_counter)
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(timezone.now())
    msg["Message-ID"] = f"<{message_id}>" if message_id else make_msgid(f"t{n}", domain="example.org")
    if in_reply_to:
        msg["In-Reply-To"] = f"<{in_reply_to}>"
    if references:
        msg["References"] = " ".join(f"<{r}>" for r in references)
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(text if text is not None else f"Guten Tag, mein Router startet nicht ({n}).")
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for filename, ctype, data in attachments:
        maintype, _sep, subtype = ctype.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes()


def message_id_of(raw: bytes) -> str:
    for line in raw.split(b"\n"):
        if line.lower().startswith(b"message-id:"):
            return line.split(b":", 1)[1].strip().strip(b"<>").decode()
    raise ValueError("no Message-ID")
