"""Turn a standard reply into the text for one case: choose the language variant the customer
reads, fill the variables, append the agent's and the team's signatures."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from anliegen.accounts.models import Team, User
from anliegen.lib.language import LANGUAGES
from anliegen.replies.models import ReplyVariant, Signature, StandardReply
from anliegen.replies.rendering import Context, render_text
from anliegen.tickets.models import Ticket

LANGUAGE_NAMES = {"de": "Deutsch", "da": "Dansk", "en": "English"}


@dataclass(frozen=True)
class Composed:
    text: str
    language: str  # the variant used
    wanted: str  # the language the customer reads
    fallback: bool  # True when the wanted variant is missing
    unknown: tuple[str, ...]
    note: str  # for the agent, e.g. "No Danish variant; showing the team's default (German)."


def customer_language(ticket: Ticket) -> str:
    """The language to answer in: the customer's preferred one, else the case's detected one,
    else the team's default."""
    for candidate in (ticket.customer.preferred_language, ticket.language, ticket.team.default_language):
        if candidate in LANGUAGES:
            return candidate
    return "de"


def choose_variant(reply: StandardReply, wanted: str, team: Team | None) -> tuple[ReplyVariant | None, bool]:
    """(variant, fell_back). Falls back to the team's default language, then to any variant."""
    variants = {v.language: v for v in reply.variants.all()}
    if wanted in variants:
        return variants[wanted], False
    default = team.default_language if team else "de"
    if default in variants:
        return variants[default], True
    for language in LANGUAGES:
        if language in variants:
            return variants[language], True
    return None, True


def signature_text(*, agent: User | None, team: Team | None, language: str) -> str:
    parts = []
    if agent is not None:
        own = Signature.objects.filter(user=agent, language=language).first()
        if own:
            parts.append(own.text.strip())
    if team is not None:
        shared = Signature.objects.filter(team=team, language=language).first()
        if shared:
            parts.append(shared.text.strip())
    return "\n\n".join(p for p in parts if p)


def compose(*, reply: StandardReply, ticket: Ticket | None, agent: User | None, language: str | None = None,
            team: Team | None = None, with_signature: bool = True) -> Composed:
    team = team or (ticket.team if ticket else None)
    wanted = language or (customer_language(ticket) if ticket else (team.default_language if team else "de"))
    variant, fell_back = choose_variant(reply, wanted, team)
    if variant is None:
        return Composed("", wanted, wanted, True, (), _("This standard reply has no text yet."))
    used = variant.language
    body = variant.text.strip()
    if with_signature:
        signature = signature_text(agent=agent, team=team, language=used)
        if signature:
            body = f"{body}\n\n{signature}"
    context = Context(language=used, customer=ticket.customer if ticket else None, ticket=ticket, agent=agent,
                      team=team)
    rendered = render_text(body, context)
    note = ""
    if fell_back:
        names = {"wanted": LANGUAGE_NAMES.get(wanted, wanted), "used": LANGUAGE_NAMES.get(used, used)}
        if team is None or used == team.default_language:
            note = _("There is no %(wanted)s variant of this reply; showing the %(used)s one instead "
                     "(the team's default language).") % names
        else:
            note = _("There is no %(wanted)s variant of this reply, nor one in the team's default language; "
                     "showing the %(used)s one instead.") % names
    return Composed(rendered.text, used, wanted, fell_back, rendered.unknown, note)
