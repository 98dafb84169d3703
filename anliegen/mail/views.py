"""Admin pages of the mail app: the quarantine (list, detail, raw download, replay, resolve)
and the mailboxes (list, add, change).
Everything here is for admins only; others get Anliegen's 403 page (accounts.permissions)."""


from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anliegen.mail import actions
from anliegen.mail.forms import MAILBOX_FIELDS, MailboxForm
from anliegen.mail.models import Mailbox, Quarantine
from anliegen.tickets.actions import ActionError
from anliegen.tickets.permissions import role_required

PREVIEW_BYTES = 20_000


@role_required("admin")
def quarantine_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "open")
    entries = Quarantine.objects.select_related("mailbox", "resolved_by")
    if state == "open":
        entries = entries.filter(resolved_at__isnull=True)
    elif state == "resolved":
        entries = entries.filter(resolved_at__isnull=False)
    else:
        state = "all"
    page = Paginator(entries.order_by("-received_at", "-id"), 50).get_page(request.GET.get("page"))
    return render(request, "mail/quarantine_list.html", {"page": page, "state": state})


@role_required("admin")
def quarantine_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(Quarantine.objects.select_related("mailbox", "resolved_by", "replayed_inbound"), pk=pk)
    try:
        raw = actions.read_quarantined_raw(entry)
        preview, missing = raw[:PREVIEW_BYTES].decode("utf-8", "replace"), ""
    except ActionError as exc:
        preview, missing = "", str(exc)
    return render(request, "mail/quarantine_detail.html", {
        "entry": entry, "preview": preview, "truncated": entry.size > PREVIEW_BYTES, "missing": missing,
    })


@role_required("admin")
def quarantine_raw(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(Quarantine, pk=pk)
    try:
        raw = actions.read_quarantined_raw(entry)
    except ActionError as exc:
        raise Http404(str(exc)) from exc
    response = HttpResponse(raw, content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="quarantine-{entry.pk}.eml"'
    return response


@require_POST
@role_required("admin")
def quarantine_replay(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(Quarantine, pk=pk)
    try:
        result = actions.replay_quarantine(quarantine=entry, actor=request.user)
    except ActionError as exc:
        messages.error(request, str(exc))
        return redirect("mail:quarantine_detail", pk=entry.pk)
    if result.quarantined:
        messages.error(request, _("The mail still cannot be stored: %(reason)s") % {"reason": entry.reason})
    elif result.ticket is not None:
        messages.success(request, _("The mail was stored on case %(number)s.") % {"number": result.ticket.number})
    else:
        messages.success(request, _("The mail was stored."))
    return redirect("mail:quarantine_detail", pk=entry.pk)


@require_POST
@role_required("admin")
def quarantine_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(Quarantine, pk=pk)
    try:
        actions.resolve_quarantine(quarantine=entry, actor=request.user)
    except ActionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Marked as resolved. The raw mail is kept."))
    return redirect("mail:quarantine_detail", pk=entry.pk)


@role_required("admin")
def mailbox_list(request: HttpRequest) -> HttpResponse:
    boxes = Mailbox.objects.select_related("team").order_by("name")
    return render(request, "mail/mailbox_list.html", {"mailboxes": boxes})


@role_required("admin")
def mailbox_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    mailbox = get_object_or_404(Mailbox, pk=pk) if pk is not None else None
    form = MailboxForm(request.POST or None, instance=mailbox)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in MAILBOX_FIELDS}
        try:
            saved = actions.save_mailbox(mailbox=mailbox, fields=fields, actor=request.user)
        except IntegrityError:
            form.add_error("name", _("A mailbox with this name exists already."))
        else:
            messages.success(request, _("Mailbox %(name)s saved.") % {"name": saved.name})
            return redirect("mail:mailboxes")
    return render(request, "mail/mailbox_form.html", {"form": form, "mailbox": mailbox},
                  status=400 if form.errors else 200)
