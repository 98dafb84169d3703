from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anliegen.accounts.actions import sign_out_everywhere, update_preferences
from anliegen.accounts.forms import PreferencesForm, SignInForm


@login_required
def settings_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            update_preferences(user=user, ui_language=form.cleaned_data["ui_language"],
                               availability=form.cleaned_data["availability"])
            if user.ui_language:
                translation.activate(user.ui_language)
            messages.success(request, _("Your settings were saved."))
            return redirect("accounts:settings")
    else:
        form = PreferencesForm(initial={"ui_language": user.ui_language, "availability": user.availability})
    return render(request, "accounts/settings.html",
                  {"form": form, "session_idle_minutes": settings.SESSION_IDLE_MINUTES})


def password_set(request: HttpRequest) -> HttpResponse:
    """After an invitation link: the new password works and the person is signed in."""
    messages.success(request, _("Your password was set. Welcome!"))
    return redirect(settings.LOGIN_REDIRECT_URL if request.user.is_authenticated else "accounts:login")


class SignInView(auth_views.LoginView):
    """Staff sign-in (throttled, see forms.SignInForm): a paused sign-in answers 429."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    form_class = SignInForm

    def form_invalid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_invalid(form)
        if form.paused:
            response.status_code = 429
        return response


@login_required
@require_POST
def sign_out_everywhere_view(request: HttpRequest) -> HttpResponse:
    sign_out_everywhere(user=request.user)
    logout(request)
    messages.success(request, _("You were signed out on every device. Please sign in again."))
    return redirect("accounts:login")
