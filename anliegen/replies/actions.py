"""Every write of the replies app: standard replies, macros, signatures, process docs, picks,
and the language detected for inbound messages. Keyword-only, atomic, checked."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from anliegen.accounts.models import Team, User
from anliegen.customers.actions import set_preferred_language
from anliegen.replies.compose import compose
from anliegen.lib.language import LANGUAGES, SHORT_TEXT, clean_text
from anliegen.replies.models import (
    Category,
    DocVersion,
    Macro,
    ProcessDoc,
    ReplyPick,
    ReplyVariant,
    Signature,
    StandardReply,
)
from anliegen.replies.rendering import find_variables
from anliegen.tickets import actions as ticket_actions
from anliegen.tickets.models import Message, MessageKind, Priority, Status, Ticket


class ReplyError(ValueError):
    """Input the rules do not allow; `field` names the form field it belongs to ("" = general)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def unknown_variable_message(unknown: Sequence[str]) -> str:
    names = ", ".join("{{ " + name + " }}" for name in unknown)
    return _("Unknown variable: %(names)s. Use one of the variables listed next to the editor.") % {"names": names}


def _check_variables(text: str, field_name: str) -> None:
    _known, unknown = find_variables(text)
    if unknown:
        raise ReplyError(unknown_variable_message(unknown), field_name)


# --- standard replies --------------------------------------------------------------------------

@transaction.atomic
def save_reply(*, actor: User, name: str, variants: Mapping[str, str], reply: StandardReply | None = None,
               group: str = "", category: str = Category.GENERAL, team: Team | None = None, keywords: str = "",
               doc: ProcessDoc | None = None, active: bool = True) -> StandardReply:
    """Create or change a standard reply with its language variants (empty text = no variant)."""
    name = " ".join(name.split())[:150]
    if not name:
        raise ReplyError(_("Give the standard reply a name."), "name")
    if category not in Category.values:
        raise ReplyError(_("Unknown category."), "category")
    texts = {lang: (variants.get(lang) or "").strip() for lang in LANGUAGES}
    for lang, text in texts.items():
        _check_variables(text, f"text_{lang}")
    if not any(texts.values()):
        raise ReplyError(_("Write the reply in at least one language."), "")
    if reply is None:
        reply = StandardReply(created_at=timezone.now())
    else:
        reply = StandardReply.objects.select_for_update().get(pk=reply.pk)
    reply.name, reply.group, reply.category = name, " ".join(group.split())[:100], category
    reply.team, reply.keywords, reply.doc, reply.active, reply.updated_by = team, keywords.strip(), doc, active, actor
    reply.save()
    for lang, text in texts.items():
        if text:
            ReplyVariant.objects.update_or_create(reply=reply, language=lang, defaults={"text": text})
        else:
            ReplyVariant.objects.filter(reply=reply, language=lang).delete()
    return reply


@transaction.atomic
def archive_reply(*, actor: User, reply: StandardReply) -> StandardReply:
    """Retire a reply: it leaves the picker and suggestions; macros using it keep working."""
    StandardReply.objects.filter(pk=reply.pk).update(active=False, updated_by=actor, updated_at=timezone.now())
    reply.active = False
    return reply


@transaction.atomic
def record_pick(*, reply: StandardReply, ticket: Ticket, user: User | None, language: str = "",
                via: str = "picker") -> ReplyPick:
    """Remember that this reply was chosen for the case's latest customer message."""
    message = ticket.messages.filter(kind=MessageKind.INBOUND).order_by("-created_at", "-id").first()
    return ReplyPick.objects.create(reply=reply, ticket=ticket, message=message, user=user, language=language,
                                    via=via[:20], created_at=timezone.now())


# --- macros ------------------------------------------------------------------------------------

def _clean_tags(tags: Iterable[str]) -> list[str]:
    return sorted({" ".join(t.strip().lower().split())[:60] for t in tags} - {""})


@transaction.atomic
def save_macro(*, actor: User, name: str, macro: Macro | None = None, reply: StandardReply | None = None,
               status: str = "", priority: int | None = None, team: Team | None = None,
               add_tags: Iterable[str] = (), remove_tags: Iterable[str] = (), active: bool = True) -> Macro:
    name = " ".join(name.split())[:150]
    if not name:
        raise ReplyError(_("Give the macro a name."), "name")
    if status and status not in Status.values:
        raise ReplyError(_("Unknown status."), "status")
    if priority is not None and priority not in Priority.values:
        raise ReplyError(_("Unknown priority."), "priority")
    added, removed = _clean_tags(add_tags), _clean_tags(remove_tags)
    if not (reply or status or priority or team or added or removed):
        raise ReplyError(_("A macro needs a standard reply or at least one change."), "")
    duplicate = Macro.objects.filter(name=name).exclude(pk=macro.pk if macro else None)
    if duplicate.exists():
        raise ReplyError(_("There is already a macro with this name."), "name")
    macro = macro or Macro()
    macro.name, macro.reply, macro.status, macro.priority, macro.team = name, reply, status, priority, team
    macro.add_tags, macro.remove_tags, macro.active = added, [t for t in removed if t not in added], active
    macro.save()
    return macro


@transaction.atomic
def delete_macro(*, actor: User, macro: Macro) -> None:
    Macro.objects.filter(pk=macro.pk).delete()


@transaction.atomic
def apply_macro(*, macro: Macro, ticket: Ticket, actor: User) -> Message | None:
    """The macro's reply (in the customer's language, with signatures) and its field changes, in
    one transaction: all of it happens or none."""
    message = None
    if macro.reply_id:
        composed = compose(reply=macro.reply, ticket=ticket, agent=actor)
        if not composed.text.strip():
            raise ticket_actions.ActionError(_("The macro's standard reply has no text."))
        message = ticket_actions.add_reply(
            ticket=ticket, author=actor, text=composed.text, language=composed.language,
            status=macro.status or None, meta={"standard_reply": macro.reply_id, "macro": macro.pk})
        record_pick(reply=macro.reply, ticket=ticket, user=actor, language=composed.language, via="macro")
    elif macro.status:
        ticket_actions.set_status(ticket=ticket, status=macro.status, actor=actor)
    if macro.priority:
        ticket_actions.set_priority(ticket=ticket, priority=macro.priority, actor=actor,
                                    reason=_("Macro: %(name)s") % {"name": macro.name})
    if macro.add_tags or macro.remove_tags:
        ticket_actions.tag_ticket(ticket=ticket, add=macro.add_tags, remove=macro.remove_tags, actor=actor)
    if macro.team_id and macro.team_id != ticket.team_id:
        ticket_actions.move_to_team(ticket=ticket, team=macro.team, actor=actor,
                                    reason=_("Macro: %(name)s") % {"name": macro.name})
    return message


@dataclass
class BulkResult:
    done: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def apply_macro_bulk(*, macro: Macro, tickets: Iterable[Ticket], actor: User) -> BulkResult:
    """Apply the macro to each case on its own: one case's failure does not undo the others."""
    result = BulkResult()
    for ticket in tickets:
        try:
            apply_macro(macro=macro, ticket=ticket, actor=actor)
        except ticket_actions.ActionError as exc:
            result.failed[ticket.number] = str(exc)
        else:
            result.done.append(ticket.number)
    return result


# --- signatures --------------------------------------------------------------------------------

@transaction.atomic
def save_signature(*, actor: User, language: str, text: str, user: User | None = None,
                   team: Team | None = None) -> Signature | None:
    """Set (or with empty text, remove) the signature of an agent or a team in one language."""
    if (user is None) == (team is None):
        raise ReplyError(_("A signature belongs to either an agent or a team."))
    if language not in LANGUAGES:
        raise ReplyError(_("Unknown language."), "language")
    text = text.strip()
    owner = {"user": user} if user is not None else {"team": team}
    if not text:
        Signature.objects.filter(language=language, **owner).delete()
        return None
    _check_variables(text, f"text_{language}")
    signature, _created = Signature.objects.update_or_create(language=language, **owner, defaults={"text": text})
    return signature


# --- process documentation ---------------------------------------------------------------------

def _unique_slug(title: str) -> str:
    base = slugify(title)[:180] or "doc"
    slug, n = base, 2
    while ProcessDoc.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def save_doc(*, actor: User, title: str, body: str, doc: ProcessDoc | None = None, teams: Iterable[Team] = (),
             note: str = "") -> ProcessDoc:
    """Create a page or add a new version of it. Every version is kept with its author."""
    title = " ".join(title.split())[:200]
    if not title:
        raise ReplyError(_("Give the page a title."), "title")
    if not body.strip():
        raise ReplyError(_("The page is empty."), "body")
    now = timezone.now()
    if doc is None:
        doc = ProcessDoc.objects.create(title=title, slug=_unique_slug(title), body=body, version=1,
                                        updated_at=now, updated_by=actor)
    else:
        doc = ProcessDoc.objects.select_for_update().get(pk=doc.pk)
        if doc.title == title and doc.body == body:
            doc.teams.set(list(teams))
            return doc
        doc.title, doc.body, doc.version, doc.updated_at, doc.updated_by = title, body, doc.version + 1, now, actor
        doc.save()
    doc.teams.set(list(teams))
    DocVersion.objects.create(doc=doc, number=doc.version, title=title, body=body, note=note.strip()[:300],
                              author=actor, created_at=now)
    return doc


# --- language detection ------------------------------------------------------------------------

RECENT_MESSAGES = 5
CONFIDENT = 0.8


def on_message_added(*, ticket: Ticket, message: Message, **_kwargs: object) -> None:
    """Hook: remember the language of a customer's message on the customer, when their recent
    messages agree. The message's and the case's language were set by tickets before they were
    stored (tickets.actions.customer_language)."""
    if message.kind != MessageKind.INBOUND or message.language not in LANGUAGES:
        return
    customer = message.author_customer
    if customer is not None:
        _update_customer_language(customer, message.language, message.language_confidence,
                                  long=len(clean_text(message.text)) >= SHORT_TEXT)


def _update_customer_language(customer: object, language: str, confidence: float, *, long: bool) -> None:
    from anliegen.customers.models import Customer

    assert isinstance(customer, Customer)
    if customer.preferred_language == language:
        return
    recent = list(
        Message.objects.filter(author_customer=customer, kind=MessageKind.INBOUND)
        .exclude(language="").order_by("-created_at", "-id").values_list("language", flat=True)[:RECENT_MESSAGES]
    )
    latest = recent[:3]
    agreeing = len(latest) >= 2 and all(lang == language for lang in latest)
    first_guess = not customer.preferred_language and confidence >= CONFIDENT and long
    if agreeing or first_guess:
        set_preferred_language(customer=customer, language=language)

