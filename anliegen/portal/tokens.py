"""Secrets the portal hands out: sign-in link tokens, and the one-time form tokens every form
of Anliegen uses (anliegen.lib.onetime, re-exported here for the portal's callers).

A sign-in token is 32 random bytes; only its SHA-256 is stored."""

import hashlib
import secrets

from anliegen.lib.onetime import FormToken, FormTokenInvalid, new_form_token, read_form_token


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def new_link_token() -> str:
    return secrets.token_urlsafe(32)


__all__ = ["FormToken", "FormTokenInvalid", "new_form_token", "new_link_token", "read_form_token", "sha256"]
