"""Mail written by a machine: out-of-office notes, autoresponders, bulk mail.

The parser flags it (ParsedMail.is_auto_reply, with automatic_reason); this module is the one
place that decides what becomes of it. Such a mail never opens a case in a queue: it joins the
case it answers, quietly (no reopening, no acknowledgement, no rule, no macro, no repeat
contact), or it is set aside in the list of automatic mail, where an admin can read it."""

from enum import StrEnum

from anliegen.mail.parse import ParsedMail
from anliegen.mail.threading import ThreadMatch


class Route(StrEnum):
    NORMAL = "normal"  # a person wrote it: the usual path (new case or reply)
    JOIN = "join"  # automatic, and it answers a case: a quiet message on that case
    SET_ASIDE = "set_aside"  # automatic, and it answers nothing we know: the list of automatic mail


def route(parsed: ParsedMail, match: ThreadMatch | None) -> Route:
    """Where an incoming mail goes, given the case threading found for it (or None)."""
    if not parsed.is_auto_reply:
        return Route.NORMAL
    return Route.JOIN if match is not None else Route.SET_ASIDE
