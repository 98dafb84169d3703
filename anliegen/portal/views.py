"""The customer portal (sign-in by mailed link, own cases, replies, new concerns) and the
embeddable web form. Views are thin: parse, access, one action, render."""

import logging

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from anliegen.customers.actions import normalise_email, set_preferred_language
from anliegen.customers.models import Customer
from anliegen.lib.bodylimit import body_too_large, unreadable_charset
from anliegen.lib.clientip import client_address
from anliegen.portal import actions, conf
from anliegen.portal.forms import (
    ConcernForm,
    LanguageForm,
    OneTimeForm,
    ReplyForm,
    SignInForm,
    WebForm,
    attachments_help,
)
from anliegen.portal.session import (
    current_customer,
    portal_customer,
    sign_in,
    sign_out,
    use_language,
)
from anliegen.portal.tasks import send_sign_in_link
from anliegen.portal.tokens import FormTokenInvalid
from anliegen.tickets.access import access_customer_ticket
from anliegen.tickets.actions import ActionError
from anliegen.tickets.models import Attachment, Message, MessageKind, Ticket
from anliegen.tickets.storage import AttachmentRejected, path_for

log = logging.getLogger(__name__)

CASES_PER_PAGE = 25


def _ip(request: HttpRequest) -> str:
    """The client's address for rate limits (trusted proxies only may name another)."""
    return client_address(request)


# --- signing in -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    if current_customer(request) is not None:
        return redirect("portal:cases")
    form = SignInForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        address = normalise_email(form.cleaned_data["email"])
        if not actions.request_sign_in_link(address=address, ip=_ip(request)):
            form.add_error(
                None,
                _(
                    "Several sign-in links were requested for this address recently. "
                    "Please use the newest link in your mailbox or try again in an hour."
                ),
            )
            return render(request, "portal/login.html", {"form": form}, status=429)
        # Known or not, the same task: the worker looks the address up and mails the link.
        send_sign_in_link.enqueue(address=address, language=translation.get_language() or "")
        return redirect("portal:link_sent")
    return render(request, "portal/login.html", {"form": form}, status=400 if form.errors else 200)


def link_sent(request: HttpRequest) -> HttpResponse:
    # The same page whether or not the address belongs to a customer.
    return render(
        request,
        "portal/link_sent.html",
        {"minutes": int(conf.link_lifetime().total_seconds() // 60)},
    )


def _link_problem(request: HttpRequest, reason: str) -> HttpResponse:
    return render(
        request,
        "portal/link_invalid.html",
        {"reason": reason, "form": SignInForm()},
        status=404 if reason == "forged" else 410,
    )


@require_http_methods(["GET", "POST"])
def enter(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button, POST signs in: programs that open links in mails to scan them
    (GET) must not use up the one-time link."""
    try:
        if request.method == "POST":
            customer = actions.redeem_sign_in_link(token=token)
            sign_in(request, customer)
            use_language(request, customer)
            messages.success(request, _("You are signed in."))
            return redirect("portal:cases")
        link = actions.find_sign_in_link(token=token)
    except actions.LinkInvalid as exc:
        return _link_problem(request, exc.reason)
    return render(request, "portal/enter.html", {"link": link})


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    sign_out(request)
    messages.info(request, _("You are signed out."))
    return redirect("portal:login")


@require_POST
def language(request: HttpRequest) -> HttpResponse:
    form = LanguageForm(request.POST)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("portal:cases")
    response = HttpResponseRedirect(target)
    if form.is_valid():
        code = form.cleaned_data["language"]
        customer = current_customer(request)
        if customer is not None:
            set_preferred_language(customer=customer, language=code)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


# --- the customer's cases ---------------------------------------------------------------------


@portal_customer
def cases(request: HttpRequest, customer: Customer) -> HttpResponse:
    tickets = Ticket.objects.filter(customer=customer).order_by("-last_activity_at", "-id")
    page = Paginator(tickets, CASES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "portal/cases.html", {"customer": customer, "page": page})


def _case_page(
    request: HttpRequest, customer: Customer, ticket: Ticket, form: ReplyForm, status: int = 200
) -> HttpResponse:
    conversation = (
        Message.objects.filter(ticket=ticket)
        .exclude(kind=MessageKind.NOTE)
        .select_related("author_user")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
    )
    merged_into = None
    if ticket.merged_into_id:
        merged_into = Ticket.objects.filter(pk=ticket.merged_into_id, customer=customer).first()
    return render(
        request,
        "portal/case.html",
        {
            "customer": customer,
            "ticket": ticket,
            "form": form,
            "conversation": conversation,
            "merged_into": merged_into,
            "attachment_help": attachments_help(),
        },
        status=status,
    )


@portal_customer
def case(request: HttpRequest, customer: Customer, number: str) -> HttpResponse:
    ticket = access_customer_ticket(customer, number)
    return _case_page(request, customer, ticket, ReplyForm())


def _take_error(form: OneTimeForm, exc: Exception) -> None:
    if isinstance(exc, FormTokenInvalid):
        form.add_error(
            "form_token", _("This form has expired. Please check your entries and send it again.")
        )
    elif isinstance(exc, AttachmentRejected):
        form.add_error("attachments", str(exc))
    else:
        form.add_error(None, str(exc))
    form.refresh_token()


@portal_customer
@require_POST
def reply(request: HttpRequest, customer: Customer, number: str) -> HttpResponse:
    ticket = access_customer_ticket(customer, number)  # logged: a failed reply shows the case again
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            outcome = actions.reply_to_case(
                customer=customer,
                ticket=ticket,
                form_token=form.cleaned_data["form_token"],
                text=form.cleaned_data["text"],
                attachments=form.cleaned_data["attachments"],
            )
        except (ActionError, AttachmentRejected, FormTokenInvalid) as exc:
            _take_error(form, exc)
        else:
            if outcome.created:
                messages.success(request, _("Your message was sent."))
            else:
                messages.info(request, _("We had already received this message."))
            target = outcome.ticket or ticket
            return redirect(reverse("portal:case", args=[target.number]) + "#conversation-end")
    form.refresh_token()
    return _case_page(request, customer, ticket, form, status=400)


@portal_customer
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest, customer: Customer) -> HttpResponse:
    form = ConcernForm(request.POST, request.FILES) if request.method == "POST" else ConcernForm()
    if request.method == "POST":
        if form.is_valid():
            try:
                outcome = actions.submit_concern(
                    customer=customer,
                    form_token=form.cleaned_data["form_token"],
                    subject=form.cleaned_data["subject"],
                    text=form.cleaned_data["text"],
                    attachments=form.cleaned_data["attachments"],
                )
            except (ActionError, AttachmentRejected, FormTokenInvalid) as exc:
                _take_error(form, exc)
            else:
                if outcome.ticket is None:  # sent before, and that case is gone since
                    return redirect("portal:cases")
                if outcome.created:
                    messages.success(
                        request,
                        _("Thank you. We received your concern as case %(number)s.")
                        % {"number": outcome.ticket.number},
                    )
                else:
                    messages.info(
                        request,
                        _("We had already received this concern as case %(number)s.")
                        % {"number": outcome.ticket.number},
                    )
                return redirect("portal:case", number=outcome.ticket.number)
        form.refresh_token()
        return render(
            request,
            "portal/new.html",
            {"customer": customer, "form": form, "attachment_help": attachments_help()},
            status=400,
        )
    return render(
        request,
        "portal/new.html",
        {"customer": customer, "form": form, "attachment_help": attachments_help()},
    )


@portal_customer
def attachment(request: HttpRequest, customer: Customer, pk: int) -> HttpResponse:
    item = (
        Attachment.objects.select_related("message")
        .exclude(message__kind=MessageKind.NOTE)
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise Http404("No such attachment")
    access_customer_ticket(customer, item.message.ticket_id)
    path = path_for(item.sha256)
    if not path.exists():
        raise Http404("The file is missing from storage")
    # Always a download: a customer's browser never renders an uploaded file as a page.
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=item.filename,
        content_type="application/octet-stream",
    )


# --- the embeddable web form ------------------------------------------------------------------


def webform_csp() -> dict[str, list[str]]:
    """The site's policy with frame-ancestors opened to the origins that embed the form."""
    policy = {key: list(value) for key, value in settings.SECURE_CSP.items()}
    policy["frame-ancestors"] = conf.webform_frame_ancestors()
    return policy


def _unreadable_webform(request: HttpRequest) -> tuple[str, int] | None:
    """Why a web-form post cannot be read at all (and the status to answer), or None."""
    limit = settings.WEBFORM_MAX_BYTES
    if body_too_large(request, limit):
        return _(
            "Your message with its attachments is larger than %(limit)d MB. Please send smaller "
            "files, or write us an e-mail."
        ) % {"limit": max(1, limit // (1024 * 1024))}, 413
    charset = unreadable_charset(request)
    if charset:
        return _(
            "Your browser sent the form in the character set %(charset)s; we read forms in "
            "UTF-8 only. Please send it again from this page."
        ) % {"charset": charset}, 400
    return None


def _webform(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(
            request,
            "portal/webform.html",
            {"form": WebForm(), "attachment_help": attachments_help()},
        )
    ip = _ip(request)
    refusal = _unreadable_webform(request)
    if refusal is not None:
        # Refused before the body is read; the try counts against the limit all the same.
        actions.count_attempt(kind="webform-ip", key=ip, limit=conf.webform_submissions_per_hour())
        message, status = refusal
        return render(
            request,
            "portal/webform.html",
            {"form": WebForm(), "attachment_help": attachments_help(), "refusal": message},
            status=status,
        )
    form = WebForm(request.POST, request.FILES)
    if form.is_robot():
        # Answer as if all went well: a robot learns nothing; its tries still count.
        actions.count_attempt(kind="webform-ip", key=ip, limit=conf.webform_submissions_per_hour())
        log.info("web form: honeypot filled, nothing stored")
        return render(request, "portal/webform_thanks.html", {"ticket": None})
    status = 400
    if form.is_valid():
        if not actions.count_attempt(
            kind="webform-ip", key=ip, limit=conf.webform_submissions_per_hour()
        ):
            form.add_error(
                None,
                _(
                    "We received many messages from your network in the last hour. "
                    "Please try again later or write us an e-mail."
                ),
            )
            status = 429
        else:
            data = form.cleaned_data
            try:
                outcome = actions.submit_webform(
                    form_token=data["form_token"],
                    name=data["name"],
                    email=data["email"],
                    subject=data["subject"],
                    text=data["text"],
                    attachments=data["attachments"],
                    language=getattr(request, "LANGUAGE_CODE", ""),
                )
            except (ActionError, AttachmentRejected, FormTokenInvalid) as exc:
                _take_error(form, exc)
            else:
                return render(request, "portal/webform_thanks.html", {"ticket": outcome.ticket})
    form.refresh_token()
    return render(
        request,
        "portal/webform.html",
        {"form": form, "attachment_help": attachments_help()},
        status=status,
    )


# Embedded in other sites' pages: those sites may frame it (CSP frame-ancestors, no
# X-Frame-Options), and it takes no CSRF token because the browser withholds our cookies in
# a third-party frame. It changes nothing for a signed-in person; the one-time token, the
# honeypot, the minimum fill time and the per-IP limit keep robots out.
webform = xframe_options_exempt(
    csp_override(webform_csp())(csrf_exempt(require_http_methods(["GET", "POST"])(_webform)))
)
