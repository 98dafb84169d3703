"""The portal's own records: one-time sign-in links and the attempts that rate limits count.
Cases and messages live in tickets, and so do the one-time form submissions (FormSubmission)."""

from django.db import models

from anliegen.customers.models import Customer


class SignInLink(models.Model):
    """A one-time sign-in link mailed to a customer. Only the token's SHA-256 is stored, so a
    copy of the database cannot be used to sign in."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    email = models.CharField(max_length=254)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"sign-in link for {self.email} ({self.created_at:%Y-%m-%d %H:%M})"


class Purpose(models.TextChoices):
    """The portal's one-time forms (tickets.FormSubmission.purpose)."""

    CONCERN = "concern"
    REPLY = "reply"
    WEBFORM = "webform"


class Attempt(models.Model):
    """One counted attempt for a rate limit. The key (an address or IP) is kept only as a keyed
    hash, so the table does not collect personal data in the clear."""

    kind = models.CharField(max_length=20)
    key_hash = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["kind", "key_hash", "at"], name="portal_attempt_key")]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M}"
