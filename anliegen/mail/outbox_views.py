"""The case panel "Outgoing mail": what was sent to the customer, what waits, what failed
(with the reason), and a button to send a failed mail again."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from anliegen.mail.models import Outbox, OutboxStatus
from anliegen.mail.outbound import retry_outbox
from anliegen.tickets.access import access_panel_ticket, access_ticket
from anliegen.tickets.models import Ticket

PANEL_ROWS = 10


def _panel(request: HttpRequest, ticket: Ticket, *, notice: str = "") -> HttpResponse:
    rows = list(Outbox.objects.filter(ticket=ticket).order_by("-created_at", "-id")[:PANEL_ROWS])
    return render(request, "mail/_outbox_panel.html", {
        "ticket": ticket, "rows": rows, "notice": notice,
        "failed": sum(1 for r in rows if r.status == OutboxStatus.FAILED),
    })


# The case is looked up before the method is checked: whoever may not see the case gets
# 404 for every method, so not even its existence shows.

@login_required
def outbox_panel(request: HttpRequest, number: str) -> HttpResponse:
    ticket = access_panel_ticket(request, number)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    return _panel(request, ticket)


@login_required
def outbox_retry(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    ticket = access_ticket(request.user, number, write=True)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    row = get_object_or_404(Outbox, pk=pk, ticket=ticket)
    row = retry_outbox(outbox=row)
    notice = _("The mail will be sent again.") if row.status == OutboxStatus.PENDING else ""
    if not request.htmx:
        if notice:
            messages.success(request, notice)
        return redirect("tickets:case", number=ticket.number)
    return _panel(request, ticket, notice=notice)
