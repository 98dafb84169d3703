"""Admin pages for stored mail that became no case: automatic mail set aside (out-of-office
notes, autoresponders that answer nothing we know) and bounces that match no outgoing mail.
Admins only, like the quarantine; others get a 404."""

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from anliegen.mail import actions
from anliegen.mail.models import InboundMail, Outcome
from anliegen.mail.parse import MailParseError, parse_mail
from anliegen.tickets.permissions import role_required
from anliegen.tickets.actions import ActionError

PER_PAGE = 50
TEXT_PREVIEW = 20_000


def _automatic() -> QuerySet[InboundMail]:
    return InboundMail.objects.filter(outcome=Outcome.AUTOMATIC)


def _unmatched_bounces() -> QuerySet[InboundMail]:
    return InboundMail.objects.filter(outcome=Outcome.BOUNCE, ticket__isnull=True)


def _list(request: HttpRequest, mails: QuerySet[InboundMail], kind: str) -> HttpResponse:
    page = Paginator(mails.select_related("mailbox").order_by("-received_at", "-id"), PER_PAGE) \
        .get_page(request.GET.get("page"))
    return render(request, "mail/inbound_list.html", {"page": page, "kind": kind})


@role_required("admin")
def automatic_list(request: HttpRequest) -> HttpResponse:
    return _list(request, _automatic(), "automatic")


@role_required("admin")
def bounce_list(request: HttpRequest) -> HttpResponse:
    return _list(request, _unmatched_bounces(), "bounces")


def _listed(pk: int) -> tuple[InboundMail, str]:
    """A mail shown on one of the two lists, and which list; anything else is not found."""
    mail = get_object_or_404(InboundMail.objects.select_related("mailbox"), pk=pk)
    if mail.outcome == Outcome.AUTOMATIC:
        return mail, "automatic"
    if mail.outcome == Outcome.BOUNCE and mail.ticket_id is None:
        return mail, "bounces"
    raise Http404("No such mail")


@role_required("admin")
def inbound_detail(request: HttpRequest, pk: int) -> HttpResponse:
    mail, kind = _listed(pk)
    text, missing = "", ""
    try:
        raw = actions.read_raw_mail(mail.raw_sha256)
    except ActionError as exc:
        missing = str(exc)
    else:
        try:
            parsed = parse_mail(raw)
            text = parsed.text
        except MailParseError as exc:
            missing = _("The mail cannot be read: %(reason)s") % {"reason": exc.reason}
    return render(request, "mail/inbound_detail.html", {
        "mail": mail, "kind": kind, "text": text[:TEXT_PREVIEW], "truncated": len(text) > TEXT_PREVIEW,
        "missing": missing,
    })


@role_required("admin")
def inbound_raw(request: HttpRequest, pk: int) -> HttpResponse:
    mail, _kind = _listed(pk)
    try:
        raw = actions.read_raw_mail(mail.raw_sha256)
    except ActionError as exc:
        raise Http404(str(exc)) from exc
    response = HttpResponse(raw, content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="mail-{mail.pk}.eml"'
    return response
