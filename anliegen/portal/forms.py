"""The portal's and the web form's forms. Every problem is said next to its field."""

import time
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from anliegen.lib import onetime
from anliegen.portal import conf
from anliegen.tickets.forms import MultipleFileField, MultipleFileInput

SUBJECT_MAX = 300
TEXT_MAX = 20_000


class AttachmentsField(MultipleFileField):
    """Files checked by tickets.storage.check_file (size, blocked types), at most a few per form."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Attachments"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(**kwargs)

    def clean(self, data, initial=None):  # type: ignore[no-untyped-def]
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > conf.MAX_ATTACHMENTS:
            raise forms.ValidationError(
                _("Please attach at most %(count)d files.") % {"count": conf.MAX_ATTACHMENTS}
            )
        return super().clean(data, initial)


class OneTimeForm(onetime.OneTimeForm):
    """The portal's forms carry a one-time token (anliegen.lib.onetime): required here, since a
    customer's or visitor's post without one is not a form the portal showed."""

    token_required = True


class SignInForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
        error_messages={
            "required": _("Enter the e-mail address you write to us from."),
            "invalid": _("Enter a valid e-mail address."),
        },
    )


class ConcernForm(OneTimeForm):
    subject = forms.CharField(
        label=_("Subject"),
        max_length=SUBJECT_MAX,
        error_messages={"required": _("Give your concern a short subject.")},
    )
    text = forms.CharField(
        label=_("Your message"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Describe your concern.")},
    )
    attachments = AttachmentsField()


class ReplyForm(OneTimeForm):
    text = forms.CharField(
        label=_("Your message"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write your message before sending it.")},
    )
    attachments = AttachmentsField()


class WebForm(ConcernForm):
    """The concern form for visitors who are not signed in: who they are, and their consent."""

    field_order = ["name", "email", "subject", "text", "attachments", "consent", "website"]

    name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Tell us your name.")},
    )
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("We need your e-mail address to answer you."),
            "invalid": _("Enter a valid e-mail address."),
        },
    )
    consent = forms.BooleanField(
        label=_("I agree that my details are stored and processed to answer my concern."),
        error_messages={"required": _("We can only take your concern if you agree to this.")},
    )
    # A field people do not see (hidden by the style sheet) but robots fill in.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def is_robot(self) -> bool:
        return bool(str(self.data.get("website", "")).strip())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        token = getattr(self, "token", None)
        if token is not None and time.time() - token.shown_at < conf.webform_min_seconds():
            self.add_error(
                "form_token",
                _(
                    "That was quicker than a person can type. Please check your entries "
                    "and send the form again."
                ),
            )
        return cleaned


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)


def attachments_help() -> str:
    limit = max(1, settings.ATTACHMENT_MAX_BYTES // (1024 * 1024))
    return ngettext(
        "At most %(count)d file of up to %(limit)d MB.",
        "Up to %(count)d files, each up to %(limit)d MB.",
        conf.MAX_ATTACHMENTS,
    ) % {"count": conf.MAX_ATTACHMENTS, "limit": limit}
