"""The portal's own records: one-time sign-in links, one-time form submissions and the
attempts that rate limits count. Cases and messages themselves live in tickets."""

from django.db import models

from anliegen.customers.models import Customer
from anliegen.tickets.models import Message, Ticket


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
    CONCERN = "concern"
    REPLY = "reply"
    WEBFORM = "webform"


class Submission(models.Model):
    """A form sent once. The form's one-time token is stored (hashed, unique) together with
    what it created, so sending the same form twice creates nothing new."""

    token_hash = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.purpose} submission {self.created_at:%Y-%m-%d %H:%M}"


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
