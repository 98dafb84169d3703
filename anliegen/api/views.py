from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anliegen.api.actions import TokenError, create_token, revoke_token
from anliegen.api.models import ApiToken


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    plain = None
    error = ""
    if request.method == "POST":
        try:
            _token, plain = create_token(user=request.user, name=request.POST.get("name", ""))
        except TokenError as exc:
            error = str(exc)
    return render(request, "api/tokens.html", {
        "tokens": ApiToken.objects.filter(user=request.user), "plain": plain, "error": error,
    })


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    revoke_token(token=token)
    messages.success(request, _("The token %(name)s was revoked.") % {"name": token.name})
    return redirect("api_tokens:tokens")
