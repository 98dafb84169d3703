"""Secrets the portal hands out: sign-in link tokens and one-time form tokens.

A sign-in token is 32 random bytes; only its SHA-256 is stored. A form token is a signed
pair (random nonce, time the form was shown): the nonce makes a submission one-time, the
time lets the web form refuse robots that fill it faster than a person can."""

import hashlib
import secrets
import time
from dataclasses import dataclass

from django.core import signing

from anliegen.portal import conf

FORM_SALT = "anliegen.portal.form"


class FormTokenInvalid(ValueError):
    """The form's token is missing, forged or too old."""


@dataclass(frozen=True)
class FormToken:
    nonce: str
    shown_at: float

    @property
    def hash(self) -> str:
        return sha256(self.nonce)


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def new_link_token() -> str:
    return secrets.token_urlsafe(32)


def new_form_token(*, shown_at: float | None = None) -> str:
    payload = {"n": secrets.token_urlsafe(18), "t": time.time() if shown_at is None else shown_at}
    return signing.dumps(payload, salt=FORM_SALT, compress=False)


def read_form_token(value: str) -> FormToken:
    try:
        payload = signing.loads(value or "", salt=FORM_SALT, max_age=conf.FORM_MAX_AGE)
        return FormToken(nonce=str(payload["n"]), shown_at=float(payload["t"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise FormTokenInvalid(str(exc)) from exc
