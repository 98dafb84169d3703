"""Writes to customers: create, find-or-create by identity, add identities."""

import datetime
from collections.abc import Iterable

import phonenumbers
from django.conf import settings
from django.db import IntegrityError, transaction

from anliegen.accounts.models import Team, User
from anliegen.customers.models import Customer, CustomerEmail, CustomerPhone, Organisation


class InvalidPhoneNumber(ValueError):
    pass


class PhoneNumberTaken(ValueError):
    """The number already identifies another customer."""


def normalise_email(address: str) -> str:
    return address.strip().lower()


def phone_region(*teams: Team | None) -> str:
    """The country a number typed without its country code belongs to: that of the first of
    teams (the team, the mailbox's team, ...) that names one, else the site's."""
    for team in teams:
        if team is not None and team.phone_region:
            return team.phone_region
    return settings.PHONE_REGION


def phone_region_of_user(user: User | None) -> str:
    """The country of the numbers a member of staff types: that of their teams (a Danish
    reception reads "23999315" as +45), else the site's."""
    if user is None or not user.is_authenticated:
        return settings.PHONE_REGION
    cached = user.__dict__.get("_phone_region")
    if cached is None:
        regions = (Team.objects.filter(memberships__user=user).exclude(phone_region="")
                   .order_by("name").values_list("phone_region", flat=True))
        cached = next(iter(regions), "") or settings.PHONE_REGION
        user.__dict__["_phone_region"] = cached
    return cached


def normalise_phone(number: str, region: str = "") -> str:
    """Return E.164 for a phone number typed in any usual way, or raise InvalidPhoneNumber.
    region: the country of a number typed without its country code (default: the site's)."""
    try:
        parsed = phonenumbers.parse(number, region or settings.PHONE_REGION)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(str(exc)) from exc
    if not phonenumbers.is_possible_number(parsed):
        raise InvalidPhoneNumber(f"{number!r} is not a possible phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@transaction.atomic
def create_customer(*, name: str = "", emails: Iterable[str] = (), phones: Iterable[str] = (),
                    preferred_language: str = "", customer_since: datetime.date | None = None,
                    organisation: Organisation | None = None, region: str = "") -> Customer:
    customer = Customer.objects.create(
        name=name, preferred_language=preferred_language, customer_since=customer_since,
        organisation=organisation,
    )
    for i, address in enumerate(emails):
        CustomerEmail.objects.create(customer=customer, address=normalise_email(address), is_primary=i == 0)
    for number in phones:
        CustomerPhone.objects.create(customer=customer, number=normalise_phone(number, region))
    return customer


@transaction.atomic
def add_customer_phone(*, customer: Customer, number: str, label: str = "", region: str = "") -> CustomerPhone:
    """Give a customer one more phone number (E.164). A number belongs to one customer only:
    raises InvalidPhoneNumber if it is malformed, PhoneNumberTaken if another customer has it."""
    number = normalise_phone(number, region)
    row = CustomerPhone.objects.filter(number=number).first()
    if row is not None:
        if row.customer_id != customer.pk:
            raise PhoneNumberTaken(f"{number} already belongs to another customer")
        return row
    return CustomerPhone.objects.create(customer=customer, number=number, label=label[:50])


def find_customer_by_email(address: str) -> Customer | None:
    row = CustomerEmail.objects.select_related("customer").filter(address=normalise_email(address)).first()
    return row.customer if row else None


def find_customers_by_email(addresses: Iterable[str]) -> dict[str, Customer]:
    """The customers of many addresses in one query, keyed by normalised address (unknown
    addresses are left out)."""
    wanted = {normalise_email(a) for a in addresses} - {""}
    if not wanted:
        return {}
    rows = CustomerEmail.objects.select_related("customer").filter(address__in=wanted)
    return {row.address: row.customer for row in rows}


def find_customer_by_phone(number: str, region: str = "") -> Customer | None:
    row = CustomerPhone.objects.select_related("customer").filter(number=normalise_phone(number, region)).first()
    return row.customer if row else None


def get_or_create_customer_by_email(*, address: str, name: str = "", preferred_language: str = "") -> Customer:
    """Link mail from a known address to its customer; create the customer otherwise.

    Safe against two processes creating the same address at once: the unique address wins."""
    address = normalise_email(address)
    found = find_customer_by_email(address)
    if found:
        return found
    try:
        with transaction.atomic():
            return create_customer(name=name, emails=[address], preferred_language=preferred_language)
    except IntegrityError:
        found = find_customer_by_email(address)
        assert found is not None
        return found


@transaction.atomic
def set_preferred_language(*, customer: Customer, language: str) -> None:
    Customer.objects.filter(pk=customer.pk).update(preferred_language=language)
    customer.preferred_language = language
