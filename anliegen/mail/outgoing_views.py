"""The admins' "Outgoing mail" page: every mail Anliegen queued, sent or failed (replies,
acknowledgements, confirmations, portal sign-in links), with its text, and a button to send a
failed one again. In production the one-time sign-in links are masked in the text: whoever reads
this page must not be able to sign in as a customer. In development they stay readable, so the
demo's portal can be tried without a mail server."""

import re

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anliegen.mail.models import Outbox, OutboxKind, OutboxStatus
from anliegen.mail.outbound import retry_outbox
from anliegen.tickets.permissions import role_required

SIGN_IN_LINK = re.compile(r"(/portal/enter/)[^/\s]+/")
PAGE_SIZE = 50


def readable_text(row: Outbox) -> str:
    text = row.text or (row.ticket_message.text if row.ticket_message_id and row.ticket_message else "")
    if settings.PRODUCTION:
        text = SIGN_IN_LINK.sub(r"\1…/", text)
    return text


def _kept_here() -> bool:
    """Mail goes to the console (the worker's log), not to a mail server: development."""
    return "console" in str(settings.MAILERS.get("default", {}).get("BACKEND", ""))


@role_required("admin")
def outgoing_list(request: HttpRequest) -> HttpResponse:
    rows = Outbox.objects.select_related("ticket").order_by("-created_at", "-id")
    status = request.GET.get("status", "")
    if status in OutboxStatus.values:
        rows = rows.filter(status=status)
    else:
        status = ""
    kind = request.GET.get("kind", "")
    if kind in OutboxKind.values:
        rows = rows.filter(kind=kind)
    else:
        kind = ""
    page = Paginator(rows.defer("text", "html"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "mail/outgoing_list.html", {
        "page": page, "status": status, "kind": kind, "statuses": OutboxStatus.choices,
        "kinds": OutboxKind.choices, "production": settings.PRODUCTION, "kept_here": _kept_here(),
    })


@role_required("admin")
def outgoing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(Outbox.objects.select_related("ticket", "ticket_message"), pk=pk)
    return render(request, "mail/outgoing_detail.html", {
        "row": row, "text": readable_text(row), "production": settings.PRODUCTION,
    })


@role_required("admin")
@require_POST
def outgoing_retry(request: HttpRequest, pk: int) -> HttpResponse:
    row = retry_outbox(outbox=get_object_or_404(Outbox, pk=pk))
    if row.status == OutboxStatus.PENDING:
        messages.success(request, _("The mail will be sent again."))
    return redirect("mail:outgoing_detail", pk=row.pk)
