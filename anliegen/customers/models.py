"""Customers, their organisations and the identities (mail addresses, phone numbers) that
recognise them on every channel."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from anliegen.accounts.models import LANGUAGE_CHOICES


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    domain = models.CharField(_("mail domain"), max_length=200, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Customer(models.Model):
    """A person who raises concerns. Not a staff user: customers sign in to the portal by link."""

    name = models.CharField(_("name"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="customers"
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, blank=True, choices=LANGUAGE_CHOICES
    )
    customer_since = models.DateField(_("customer since"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        if self.name:
            return self.name
        first = self.emails.first()
        return first.address if first else f"#{self.pk}"

    @property
    def primary_email(self) -> str:
        first = self.emails.order_by("-is_primary", "id").first()
        return first.address if first else ""


class CustomerEmail(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="emails")
    # Stored lower-cased; unique so one address always means one customer.
    address = models.CharField(max_length=254, unique=True)
    is_primary = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.address


class CustomerPhone(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="phones")
    # E.164, e.g. +4930123456
    number = models.CharField(max_length=32, unique=True)
    label = models.CharField(max_length=50, blank=True)

    def __str__(self) -> str:
        return self.number
