"""Forms of the mail app's admin pages."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anliegen.mail.models import Mailbox

MAILBOX_FIELDS = [
    "name", "team", "address", "imap_host", "imap_port", "imap_user", "imap_password", "imap_folder", "use_ssl",
    "processed_folder", "enabled", "send_acknowledgement",
]


class MailboxForm(forms.ModelForm):
    imap_password = forms.CharField(
        label=_("IMAP password"), required=False, strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the current password."),
    )

    class Meta:
        model = Mailbox
        fields = MAILBOX_FIELDS

    def clean_address(self) -> str:
        return self.cleaned_data["address"].strip().lower()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # Without a host the mailbox only receives over SMTP and is not polled.
        if data.get("imap_host") and not data.get("imap_user"):
            self.add_error("imap_user", _("Say which user signs in to the IMAP server."))
        return data
