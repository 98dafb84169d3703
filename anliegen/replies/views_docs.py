"""Process documentation: versioned Markdown pages, searchable, linked from teams and replies."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from anliegen.accounts.models import Team
from anliegen.replies import actions
from anliegen.replies.docs import diff_lines, render_markdown
from anliegen.replies.forms import DocForm
from anliegen.replies.models import ProcessDoc
from anliegen.tickets.permissions import can_manage, role_required


@login_required
def doc_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    team = Team.objects.filter(slug=request.GET.get("team", "")).first()
    docs = ProcessDoc.objects.select_related("updated_by").prefetch_related("teams")
    if team:
        docs = docs.filter(teams=team)
    if query:
        docs = docs.filter(Q(title__icontains=query) | Q(body__icontains=query))
    return render(request, "replies/docs.html", {"docs": docs, "query": query, "team": team,
                                                 "teams": Team.objects.all(), "can_edit": can_manage(request.user)})


@login_required
def doc_detail(request: HttpRequest, slug: str) -> HttpResponse:
    doc = get_object_or_404(ProcessDoc.objects.select_related("updated_by"), slug=slug)
    return render(request, "replies/doc.html", {
        "doc": doc, "html": render_markdown(doc.body), "teams": doc.teams.all(),
        "replies": doc.replies.filter(active=True), "can_edit": can_manage(request.user),
    })


def _doc_form_page(request: HttpRequest, doc: ProcessDoc | None) -> HttpResponse:
    if request.method != "POST":
        initial = {"title": doc.title, "body": doc.body, "teams": list(doc.teams.all())} if doc else {}
        return render(request, "replies/doc_edit.html", {"form": DocForm(initial=initial), "doc": doc})
    form = DocForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            saved = actions.save_doc(actor=request.user, doc=doc, title=data["title"], body=data["body"],
                                     teams=data["teams"], note=data["note"])
        except actions.ReplyError as exc:
            form.add_error(exc.field or None, str(exc))
        else:
            messages.success(request, _("The page was saved (version %(n)s).") % {"n": saved.version})
            return redirect("replies:doc", slug=saved.slug)
    preview = render_markdown(request.POST.get("body", ""))
    return render(request, "replies/doc_edit.html", {"form": form, "doc": doc, "preview": preview}, status=400)


@role_required("lead")
def doc_new(request: HttpRequest) -> HttpResponse:
    return _doc_form_page(request, None)


@role_required("lead")
def doc_edit(request: HttpRequest, slug: str) -> HttpResponse:
    return _doc_form_page(request, get_object_or_404(ProcessDoc, slug=slug))


@login_required
def doc_history(request: HttpRequest, slug: str) -> HttpResponse:
    doc = get_object_or_404(ProcessDoc, slug=slug)
    return render(request, "replies/doc_history.html", {
        "doc": doc, "versions": doc.versions.select_related("author").order_by("-number")})


@login_required
def doc_version(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    doc = get_object_or_404(ProcessDoc, slug=slug)
    version = get_object_or_404(doc.versions.select_related("author"), number=number)
    previous = doc.versions.filter(number__lt=number).order_by("-number").first()
    diff = diff_lines(previous.body if previous else "", version.body)
    return render(request, "replies/doc_version.html", {
        "doc": doc, "version": version, "previous": previous, "diff": diff, "html": render_markdown(version.body)})
