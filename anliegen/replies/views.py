"""Standard replies, macros and signatures: the editors (leads), the lists (everyone) and the
picker panel in the case view. Thin views: parse, access, one action, render."""

from __future__ import annotations

import datetime
import re
from types import SimpleNamespace
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anliegen.accounts.models import Team, User
from anliegen.replies import actions, suggestions
from anliegen.replies.compose import LANGUAGE_NAMES, compose, customer_language
from anliegen.replies.forms import LANGUAGE_LABELS, BulkMacroForm, MacroForm, ReplyForm, SignatureForm, split_tags
from anliegen.lib.language import LANGUAGES
from anliegen.replies.models import Category, Macro, ProcessDoc, Signature, StandardReply
from anliegen.replies.rendering import VARIABLES, Context, render_text
from anliegen.tickets.access import access_panel_ticket, access_ticket, visible_tickets
from anliegen.tickets.permissions import can_manage, role_required
from anliegen.tickets.actions import ActionError
from anliegen.tickets.models import Ticket


def _variables() -> list[tuple[str, str]]:
    return [(name, str(description)) for name, (description, _fn) in VARIABLES.items()]


def replies_for_ticket(ticket: Ticket) -> QuerySet[StandardReply]:
    return (StandardReply.objects.filter(active=True).filter(Q(team__isnull=True) | Q(team=ticket.team))
            .prefetch_related("variants").order_by("group", "name"))


# --- standard replies --------------------------------------------------------------------------

@login_required
def reply_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    category = request.GET.get("category", "")
    replies = StandardReply.objects.select_related("team", "doc").prefetch_related("variants")
    if not (can_manage(request.user) and request.GET.get("archived")):
        replies = replies.filter(active=True)
    if category in Category.values:
        replies = replies.filter(category=category)
    if query:
        replies = replies.filter(Q(name__icontains=query) | Q(group__icontains=query) | Q(keywords__icontains=query)
                                 | Q(variants__text__icontains=query)).distinct()
    return render(request, "replies/list.html", {
        "replies": replies.order_by("group", "name"), "query": query, "category": category,
        "categories": Category.choices, "can_edit": can_manage(request.user), "languages": LANGUAGES,
    })


@login_required
def reply_detail(request: HttpRequest, pk: int) -> HttpResponse:
    reply = get_object_or_404(StandardReply.objects.select_related("team", "doc").prefetch_related("variants"), pk=pk)
    if not reply.active and not can_manage(request.user):
        raise Http404("No such standard reply")
    samples = []
    for variant in reply.variants.all():
        rendered = render_text(variant.text, _sample_context(request.user, variant.language))
        samples.append((LANGUAGE_LABELS.get(variant.language, variant.language), rendered))
    return render(request, "replies/detail.html", {
        "reply": reply, "samples": samples, "macros": reply.macros.all(), "can_edit": can_manage(request.user),
    })


def _reply_from_form(request: HttpRequest, form: ReplyForm, reply: StandardReply | None) -> StandardReply | None:
    data = form.cleaned_data
    try:
        return actions.save_reply(
            actor=request.user, reply=reply, name=data["name"], group=data["group"], category=data["category"],
            team=data["team"], keywords=data["keywords"], doc=data["doc"], active=data["active"],
            variants={lang: data[f"text_{lang}"] for lang in LANGUAGES})
    except actions.ReplyError as exc:
        form.add_error(exc.field or None, str(exc))
        return None


def _editor(request: HttpRequest, form: ReplyForm, reply: StandardReply | None, status: int = 200) -> HttpResponse:
    return render(request, "replies/edit.html", {"form": form, "reply": reply, "variables": _variables(),
                                                 "languages": LANGUAGES}, status=status)


@role_required("lead")
def reply_new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _editor(request, ReplyForm(initial={"category": request.GET.get("category", Category.GENERAL)}), None)
    form = ReplyForm(request.POST)
    if form.is_valid() and (reply := _reply_from_form(request, form, None)):
        messages.success(request, _("The standard reply was saved."))
        return redirect("replies:detail", pk=reply.pk)
    return _editor(request, form, None, status=400)


@role_required("lead")
def reply_edit(request: HttpRequest, pk: int) -> HttpResponse:
    reply = get_object_or_404(StandardReply, pk=pk)
    if request.method != "POST":
        return _editor(request, ReplyForm.for_reply(reply), reply)
    form = ReplyForm(request.POST)
    if form.is_valid() and _reply_from_form(request, form, reply):
        messages.success(request, _("The standard reply was saved."))
        return redirect("replies:detail", pk=reply.pk)
    return _editor(request, form, reply, status=400)


@role_required("lead")
@require_POST
def reply_archive(request: HttpRequest, pk: int) -> HttpResponse:
    reply = get_object_or_404(StandardReply, pk=pk)
    actions.archive_reply(actor=request.user, reply=reply)
    messages.success(request, _("The standard reply was archived."))
    return redirect("replies:list")


def _sample_context(user: User, language: str) -> Context:
    """Made-up case data for the editor's preview (nothing is stored)."""
    team = SimpleNamespace(name=_("Technical support"), email="support@anliegen.example", default_language="de")
    customer = SimpleNamespace(name="Erika Mustermann", primary_email="erika@example.org", organisation=None,
                               customer_since=datetime.date(2015, 3, 1))
    ticket = SimpleNamespace(number="A-100042", subject=_("Router no longer connects"), status="open", priority=2,
                             created_at=timezone.now(), team=team)
    return Context(language=language, customer=customer, ticket=ticket, agent=user, team=team)  # type: ignore[arg-type]


@role_required("lead")
@require_POST
def reply_preview(request: HttpRequest) -> HttpResponse:
    """The editor's preview (htmx): every variant filled with sample data; unknown variables listed."""
    previews = []
    for lang in LANGUAGES:
        text = request.POST.get(f"text_{lang}", "")
        if text.strip():
            previews.append((LANGUAGE_LABELS[lang], render_text(text, _sample_context(request.user, lang))))
    return render(request, "replies/_preview.html", {"previews": previews})


# --- the picker panel in the case view ---------------------------------------------------------

@login_required
def panel(request: HttpRequest, number: str) -> HttpResponse:
    ticket = access_panel_ticket(request, number)
    replies = list(replies_for_ticket(ticket))
    suggested = suggestions.suggest_for_ticket(ticket, replies, limit=3)
    suggested_pks = [r.pk for r, _score in suggested]
    ordered = [r for r, _s in suggested] + [r for r in replies if r.pk not in suggested_pks]
    language = customer_language(ticket)
    docs = ProcessDoc.objects.filter(teams=ticket.team).order_by("title")[:10]
    return render(request, "replies/_panel.html", {
        "ticket": ticket, "replies": ordered, "suggested": suggested_pks, "language": language,
        "language_name": LANGUAGE_NAMES.get(language, language),
        "macros": Macro.objects.filter(active=True).select_related("reply")[:30], "docs": docs,
    })


@login_required
def compose_preview(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    """The chosen reply rendered for this case, for the agent to check before inserting."""
    ticket = access_ticket(request.user, number, write=True)
    reply = get_object_or_404(replies_for_ticket(ticket), pk=pk)
    composed = compose(reply=reply, ticket=ticket, agent=request.user)
    return render(request, "replies/_compose.html", {"ticket": ticket, "reply": reply, "composed": composed,
                                                     "language_name": LANGUAGE_NAMES.get(composed.language, "")})


@login_required
@require_POST
def pick(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    ticket = access_ticket(request.user, number, write=True)
    reply = get_object_or_404(replies_for_ticket(ticket), pk=pk)
    language = request.POST.get("language", "")
    actions.record_pick(reply=reply, ticket=ticket, user=request.user,
                        language=language if language in LANGUAGES else "", via=request.POST.get("via", "picker"))
    return HttpResponse(status=204)


# --- macros ------------------------------------------------------------------------------------

def macro_changes(macro: Macro) -> list[str]:
    """What applying the macro changes besides sending its reply, one line each, for the agent to check."""
    changes = []
    if macro.status:
        changes.append(_("Status → %(status)s") % {"status": macro.get_status_display()})
    if macro.priority:
        changes.append(_("Priority → %(priority)s") % {"priority": macro.get_priority_display()})
    if macro.team_id:
        changes.append(_("Team → %(team)s") % {"team": macro.team})
    if macro.add_tags:
        changes.append(_("Add tags: %(tags)s") % {"tags": ", ".join(macro.add_tags)})
    if macro.remove_tags:
        changes.append(_("Remove tags: %(tags)s") % {"tags": ", ".join(macro.remove_tags)})
    return changes


@login_required
@require_POST
def apply_macro(request: HttpRequest, number: str) -> HttpResponse:
    """A macro without a reply applies at once; one that sends the customer a reply first shows
    the reply and the changes, and applies only when the agent confirms (confirm=1)."""
    ticket = access_ticket(request.user, number, write=True)
    macro = (Macro.objects.filter(active=True, pk=_int(request.POST.get("macro")))
             .select_related("reply", "team").first())
    if macro is None:
        messages.error(request, _("Choose a macro."))
        return redirect("tickets:case", number=ticket.number)
    if macro.reply_id and request.POST.get("confirm") != "1":
        composed = compose(reply=macro.reply, ticket=ticket, agent=request.user)
        return render(request, "replies/macro_confirm.html", {
            "ticket": ticket, "macro": macro, "composed": composed, "changes": macro_changes(macro),
            "language_name": LANGUAGE_NAMES.get(composed.language, composed.language),
        })
    try:
        actions.apply_macro(macro=macro, ticket=ticket, actor=request.user)
    except ActionError as exc:
        messages.error(request, str(exc))
        return redirect("tickets:case", number=ticket.number)
    if macro.reply_id:
        messages.success(request, _("The macro “%(name)s” was applied and its reply sent.") % {"name": macro.name})
    else:
        messages.success(request, _("The macro “%(name)s” was applied.") % {"name": macro.name})
    if not visible_tickets(request.user).filter(pk=ticket.pk).exists():
        return redirect("tickets:mine")
    return redirect("tickets:case", number=ticket.number)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
def bulk_macro(request: HttpRequest) -> HttpResponse:
    """Apply one macro to many cases: POST `macro` and case numbers as `tickets` (repeated) or
    `numbers` (text: one per line or comma-separated)."""
    if request.method != "POST" or "macro" not in request.POST:
        # Arriving from a queue's bulk bar with ticked cases: choose the macro first.
        source = request.POST if request.method == "POST" else request.GET
        initial = {"numbers": "\n".join(source.getlist("tickets"))}
        return render(request, "replies/bulk.html", {"form": BulkMacroForm(initial=initial)})
    form = BulkMacroForm(request.POST)
    numbers = [n for n in request.POST.getlist("tickets") if n.strip()]
    numbers += [n for n in re.split(r"[\s,;]+", request.POST.get("numbers", "")) if n.strip()]
    if form.is_valid() and not numbers:
        form.add_error("numbers", _("Select at least one case."))
    if not form.is_valid():
        return render(request, "replies/bulk.html", {"form": form}, status=400)
    tickets, unknown = [], []
    for number in dict.fromkeys(numbers):
        try:
            tickets.append(access_ticket(request.user, number, write=True))
        except (Http404, PermissionDenied):
            unknown.append(number)
    macro: Macro = form.cleaned_data["macro"]
    if macro.reply_id and tickets and request.POST.get("confirm") != "1":
        # A reply goes to every one of these customers: show it and the changes, and the count.
        composed = compose(reply=macro.reply, ticket=tickets[0], agent=request.user)
        return render(request, "replies/bulk_confirm.html", {
            "macro": macro, "tickets": tickets, "unknown": unknown, "composed": composed,
            "changes": macro_changes(macro), "first": tickets[0],
            "language_name": LANGUAGE_NAMES.get(composed.language, composed.language),
        })
    result = actions.apply_macro_bulk(macro=macro, tickets=tickets, actor=request.user)
    for number in unknown:
        result.failed[number] = _("There is no case %(number)s that you can see.") % {"number": number}
    return render(request, "replies/bulk.html", {"form": BulkMacroForm(), "result": result,
                                                 "macro": form.cleaned_data["macro"]},
                  status=200 if result.done else 400)


@login_required
def macro_list(request: HttpRequest) -> HttpResponse:
    macros = Macro.objects.select_related("reply", "team")
    if not can_manage(request.user):
        macros = macros.filter(active=True)
    return render(request, "replies/macros.html", {"macros": macros, "can_edit": can_manage(request.user)})


def _macro_from_form(request: HttpRequest, form: MacroForm, macro: Macro | None) -> Macro | None:
    data = form.cleaned_data
    try:
        return actions.save_macro(
            actor=request.user, macro=macro, name=data["name"], reply=data["reply"], status=data["status"],
            priority=data["priority"], team=data["team"], add_tags=split_tags(data["add_tags"]),
            remove_tags=split_tags(data["remove_tags"]), active=data["active"])
    except actions.ReplyError as exc:
        form.add_error(exc.field or None, str(exc))
        return None


@role_required("lead")
def macro_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    macro = get_object_or_404(Macro, pk=pk) if pk else None
    if request.method != "POST":
        form = MacroForm.for_macro(macro) if macro else MacroForm()
        return render(request, "replies/macro_edit.html", {"form": form, "macro": macro})
    form = MacroForm(request.POST)
    if form.is_valid() and _macro_from_form(request, form, macro):
        messages.success(request, _("The macro was saved."))
        return redirect("replies:macros")
    return render(request, "replies/macro_edit.html", {"form": form, "macro": macro}, status=400)


@role_required("lead")
@require_POST
def macro_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actions.delete_macro(actor=request.user, macro=get_object_or_404(Macro, pk=pk))
    messages.success(request, _("The macro was deleted."))
    return redirect("replies:macros")


# --- signatures --------------------------------------------------------------------------------

def _signature_page(request: HttpRequest, *, user: User | None, team: Team | None) -> HttpResponse:
    owner = {"user": user} if user is not None else {"team": team}
    if request.method == "POST":
        form = SignatureForm(request.POST)
        if form.is_valid():
            try:
                for lang in LANGUAGES:
                    actions.save_signature(actor=request.user, language=lang, text=form.cleaned_data[f"text_{lang}"],
                                           **owner)
            except actions.ReplyError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            else:
                messages.success(request, _("The signatures were saved."))
                return redirect(request.path)
        status = 400
    else:
        existing = {s.language: s.text for s in Signature.objects.filter(**owner)}
        form = SignatureForm(initial={f"text_{lang}": existing.get(lang, "") for lang in LANGUAGES})
        status = 200
    teams = Team.objects.all() if can_manage(request.user) else Team.objects.none()
    return render(request, "replies/signatures.html", {"form": form, "team": team, "teams": teams,
                                                       "variables": _variables()}, status=status)


@login_required
def my_signatures(request: HttpRequest) -> HttpResponse:
    return _signature_page(request, user=request.user, team=None)


@role_required("lead")
def team_signatures(request: HttpRequest, slug: str) -> HttpResponse:
    return _signature_page(request, user=None, team=get_object_or_404(Team, slug=slug))


# --- learning ----------------------------------------------------------------------------------

@role_required("lead")
@require_POST
def retrain(request: HttpRequest) -> HttpResponse:
    used = suggestions.retrain()
    if used:
        messages.success(request, _("Suggestions learnt from %(count)s picks.") % {"count": used})
    else:
        messages.info(request, _("Too few picks to learn from yet; suggestions use the replies' texts."))
    return redirect("replies:list")

