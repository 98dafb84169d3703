"""make_* helpers for the replies tests; they go through the actions."""

from anliegen.accounts.models import User
from anliegen.replies import actions
from anliegen.replies.models import Macro, StandardReply

TEXTS = {
    "de": "Guten Tag {{ customer.name }},\n\nwir erstatten den doppelten Betrag (Vorgang {{ case.number }}).",
    "da": "Kære {{ customer.name }}\n\nvi refunderer det dobbelte beløb (sag {{ case.number }}).",
    "en": "Dear {{ customer.name }},\n\nwe will refund the duplicate amount (case {{ case.number }}).",
}


def make_reply(actor: User, name: str = "Doppelte Abbuchung erstatten", *, texts: dict[str, str] | None = None,
               **kwargs: object) -> StandardReply:
    return actions.save_reply(actor=actor, name=name, variants=TEXTS if texts is None else texts,
                              **kwargs)  # type: ignore[arg-type]


def make_macro(actor: User, reply: StandardReply | None, name: str = "Erstattung zugesagt",
               **kwargs: object) -> Macro:
    return actions.save_macro(actor=actor, name=name, reply=reply, **kwargs)  # type: ignore[arg-type]
