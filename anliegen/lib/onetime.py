"""One-time forms: the one mechanism by which a form sent twice (a double click, a reload, a
retried request) creates one thing, for staff and customers alike.

The form carries a signed token: a random nonce and the time the form was shown. The nonce makes
a submission one-time (tickets.actions.claim_form stores its hash, unique, with what it created);
the signature and the age limit make a token that was forged or kept too long useless; the time
lets the public web form refuse robots that fill it faster than a person can."""

import datetime
import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

SALT = "anliegen.onetime.form"
# A form shown longer ago than this is refused; stored claims are kept twice as long.
MAX_AGE = datetime.timedelta(days=1)


class FormTokenInvalid(ValueError):
    """The form's token is missing, forged or too old."""


@dataclass(frozen=True)
class FormToken:
    nonce: str
    shown_at: float

    @property
    def hash(self) -> str:
        return hashlib.sha256(self.nonce.encode()).hexdigest()


def new_form_token(*, shown_at: float | None = None) -> str:
    payload = {"n": secrets.token_urlsafe(18), "t": time.time() if shown_at is None else shown_at}
    return signing.dumps(payload, salt=SALT, compress=False)


def read_form_token(value: str) -> FormToken:
    try:
        payload = signing.loads(value or "", salt=SALT, max_age=MAX_AGE)
        return FormToken(nonce=str(payload["n"]), shown_at=float(payload["t"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise FormTokenInvalid(str(exc)) from exc


EXPIRED = _("This form has expired. Please check your entries and send it again.")


class OneTimeForm(forms.Form):
    """A form with a one-time token (hidden field form_token, checked in clean). A re-displayed
    form whose token was not usable gets a fresh one (refresh_token), so sending it again works.

    token_required=False (staff forms): a post without any token, as a script sends, is taken
    without the one-time guarantee; a forged or expired one is still refused."""

    token_required = True
    # Where a refused token is said: on the (hidden) field, for templates that show it, or at
    # the top of the form (None).
    token_error_field: str | None = "form_token"
    form_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.token: FormToken | None = None
        self.token_refused = False
        if not self.is_bound:
            self.initial["form_token"] = new_form_token()

    def clean_form_token(self) -> str:
        value = self.cleaned_data.get("form_token", "")
        if not value and not self.token_required:
            return ""
        try:
            self.token = read_form_token(value)
        except FormTokenInvalid:
            self.token_refused = True
            if self.token_error_field is None:
                self.add_error(None, forms.ValidationError(EXPIRED, code="expired"))
                return ""
            raise forms.ValidationError(EXPIRED, code="expired")
        return value

    def refresh_token(self) -> None:
        """Give a re-displayed form a fresh token when its own was not usable."""
        if self.token_refused or "form_token" in self.errors:
            self.data = self.data.copy()
            self.data["form_token"] = new_form_token()
