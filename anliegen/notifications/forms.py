from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anliegen.notifications.models import Kind


class PreferencesForm(forms.Form):
    """Per kind: in the app, by e-mail (two checkboxes each)."""

    def __init__(self, *args: Any, current: dict[str, tuple[bool, bool]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = current or {}
        for kind in Kind.values:
            in_app, by_mail = current.get(kind, (True, False))
            self.fields[f"{kind}_app"] = forms.BooleanField(label=_("in the app"), required=False, initial=in_app)
            self.fields[f"{kind}_mail"] = forms.BooleanField(label=_("by e-mail"), required=False, initial=by_mail)

    def rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [(str(label), self[f"{kind}_app"], self[f"{kind}_mail"]) for kind, label in Kind.choices]

    def choices(self) -> dict[str, tuple[bool, bool]]:
        return {kind: (self.cleaned_data[f"{kind}_app"], self.cleaned_data[f"{kind}_mail"]) for kind in Kind.values}
