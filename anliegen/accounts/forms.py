import math
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from anliegen.accounts.actions import (
    clear_sign_in_failures,
    record_sign_in_failure,
    sign_in_paused_until,
)
from anliegen.accounts.models import LANGUAGE_CHOICES, PHONE_REGION_CHOICES, Availability, Role, Team, TeamKind, User
from anliegen.lib.clientip import client_address


class PreferencesForm(forms.Form):
    ui_language = forms.ChoiceField(
        label=_("Interface language"),
        choices=[("", _("As my browser says"))] + list(LANGUAGE_CHOICES), required=False,
    )
    availability = forms.ChoiceField(label=_("Availability"), choices=Availability.choices)


class StaffForm(forms.Form):
    """An administrator creates or changes a member of staff."""

    username = forms.CharField(label=_("Sign-in name"), max_length=150, validators=[UnicodeUsernameValidator()],
                               error_messages={"required": _("Give the person a sign-in name.")})
    display_name = forms.CharField(label=_("Name shown to colleagues"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail address"), required=False,
                             error_messages={"invalid": _("Enter a valid e-mail address.")})
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.AGENT)
    teams = forms.ModelMultipleChoiceField(label=_("Teams"), queryset=Team.objects.order_by("name"),
                                           required=False, widget=forms.CheckboxSelectMultiple)
    languages = forms.MultipleChoiceField(label=_("Languages they answer in"), choices=LANGUAGE_CHOICES,
                                          required=False, widget=forms.CheckboxSelectMultiple)
    max_open_cases = forms.IntegerField(label=_("Case cap"), min_value=1, max_value=10_000, required=False,
                                        help_text=_("At most this many open cases are assigned to them "
                                                    "automatically. Empty: no cap."))
    is_active = forms.BooleanField(label=_("Active (may sign in)"), required=False, initial=True)
    password = forms.CharField(label=_("Password"), required=False, strip=False,
                               widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
                               help_text=_("Leave empty to keep it, or for a new person to send an invitation "
                                           "link instead."))

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password", "")
        if password:
            password_validation.validate_password(password)
        return password


class TeamForm(forms.Form):
    """An administrator creates or changes a team and its members."""

    name = forms.CharField(label=_("Name"), max_length=100,
                           error_messages={"required": _("Give the team a name.")})
    kind = forms.ChoiceField(label=_("Kind"), choices=TeamKind.choices, initial=TeamKind.SUPPORT)
    confidential = forms.BooleanField(label=_("Confidential: only members see this team's cases"), required=False)
    default_language = forms.ChoiceField(label=_("Language of the team"), choices=LANGUAGE_CHOICES)
    email = forms.EmailField(label=_("Team address"), required=False,
                             error_messages={"invalid": _("Enter a valid e-mail address.")})
    phone_region = forms.ChoiceField(label=_("Country for phone numbers"), required=False,
                                     choices=[("", _("the site's country"))] + PHONE_REGION_CHOICES)
    members = forms.ModelMultipleChoiceField(label=_("Members"), required=False,
                                             queryset=User.objects.filter(is_active=True).order_by("username"),
                                             widget=forms.CheckboxSelectMultiple)
    team_leads = forms.ModelMultipleChoiceField(label=_("Team leads"), required=False,
                                                queryset=User.objects.filter(is_active=True).order_by("username"),
                                                widget=forms.CheckboxSelectMultiple,
                                                help_text=_("Team leads are members too."))


class SignInForm(AuthenticationForm):
    """Django's sign-in form, throttled: after too many failures for the account name (known
    or not) or from the address, it refuses before checking the password. The refusal and the
    wrong-password message are the same for names that exist and names that do not."""

    paused = False

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        address = client_address(self.request) if self.request is not None else "unknown"
        self._refuse_if_paused(username, address)
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if self.cleaned_data.get("password"):
                record_sign_in_failure(username=username, address=address)
                self._refuse_if_paused(username, address)
            raise
        clear_sign_in_failures(username=username)
        return cleaned

    def _refuse_if_paused(self, username: str, address: str) -> None:
        until = sign_in_paused_until(username=username, address=address)
        if until is None:
            return
        self.paused = True
        minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
        raise forms.ValidationError(
            ngettext(
                "Too many failed sign-ins. Signing in is paused for %(minutes)d minute; "
                "an administrator can lift the pause sooner.",
                "Too many failed sign-ins. Signing in is paused for %(minutes)d minutes; "
                "an administrator can lift the pause sooner.",
                minutes,
            ) % {"minutes": minutes},
            code="paused",
        )
