"""The notification list (live), the counters in the side bar, the "Mentioned" list and each
person's choices. Thin: parse, access, one action, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anliegen.notifications import access, actions
from anliegen.notifications.forms import PreferencesForm
from anliegen.notifications.models import Kind, Preference, describe

LIST_SIZE = 100


def _rows(request: HttpRequest) -> list[tuple[object, str]]:
    rows = list(access.visible_notifications(request.user)
                .select_related("ticket", "actor")[:LIST_SIZE])
    return [(row, describe(row)) for row in rows]


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    context = {"rows": _rows(request), "unread": access.unread_count(request.user)}
    if request.htmx and request.GET.get("partial"):
        return render(request, "notifications/_list.html", context)
    return render(request, "notifications/list.html", context)


def _badge(count: int) -> HttpResponse:
    # An empty answer hides the badge; htmx keeps polling.
    return HttpResponse(f'<span class="badge count">{min(count, 99)}{"+" if count > 99 else ""}</span>'
                        if count else "")


@login_required
def count(request: HttpRequest) -> HttpResponse:
    return _badge(access.unread_count(request.user))


@login_required
def mentioned(request: HttpRequest) -> HttpResponse:
    rows = list(access.mentioned_tickets(request.user)[:LIST_SIZE])
    seen: set[int] = set()
    cases = []
    for row in rows:  # newest mention first, each case once
        if row.ticket_id not in seen:
            seen.add(row.ticket_id)
            cases.append(row)
    return render(request, "notifications/mentioned.html", {"rows": cases})


@login_required
def mentioned_count(request: HttpRequest) -> HttpResponse:
    return _badge(access.mentioned_tickets(request.user).values("ticket_id").distinct().count())


@login_required
@require_POST
def read(request: HttpRequest, pk: int) -> HttpResponse:
    row = access.access_notification(request.user, pk)
    actions.mark_read(user=request.user, ids=[row.pk])
    if row.ticket_id and request.POST.get("open"):
        return redirect("tickets:case", number=row.ticket.number)
    return redirect("notifications:list")


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    done = actions.mark_read(user=request.user)
    messages.success(request, _("%(count)d notifications marked as read.") % {"count": done} if done
                     else _("Nothing was unread."))
    return redirect("notifications:list")


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    current = {kind: (in_app, by_mail) for kind, in_app, by_mail in
               Preference.objects.filter(user=request.user).values_list("kind", "in_app", "by_mail")}
    if request.method == "POST":
        form = PreferencesForm(request.POST, current=current)
        if form.is_valid():
            actions.set_preferences(user=request.user, choices=form.choices())
            messages.success(request, _("Your notification settings were saved."))
            return redirect("notifications:preferences")
    else:
        form = PreferencesForm(current=current)
    mail_note = "" if request.user.email else _("You have no e-mail address; ask an administrator to add one "
                                                "before you choose mail.")
    return render(request, "notifications/preferences.html", {"form": form, "mail_note": mail_note,
                                                              "kinds": Kind.choices,
                                                              "list_url": reverse("notifications:list")})
