from django import forms
from django.utils.translation import gettext_lazy as _

from anliegen.accounts.models import LANGUAGE_CHOICES, Availability


class PreferencesForm(forms.Form):
    ui_language = forms.ChoiceField(
        label=_("Interface language"),
        choices=[("", _("As my browser says"))] + list(LANGUAGE_CHOICES), required=False,
    )
    availability = forms.ChoiceField(label=_("Availability"), choices=Availability.choices)
