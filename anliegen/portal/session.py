"""Who is signed in to the portal. The session holds a customer's id, not a Django user:
customers are not staff and never get a password."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation

from anliegen.customers.models import Customer

SESSION_KEY = "portal_customer_id"


def sign_in(request: HttpRequest, customer: Customer) -> None:
    # A new session key on sign-in: a key planted before cannot ride along (session fixation).
    request.session.cycle_key()
    request.session[SESSION_KEY] = customer.pk


def sign_out(request: HttpRequest) -> None:
    # Only the portal's key goes: a staff sign-in in the same browser stays.
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()


def current_customer(request: HttpRequest) -> Customer | None:
    pk = request.session.get(SESSION_KEY)
    if not isinstance(pk, int):
        return None
    customer = Customer.objects.filter(pk=pk, anonymised_at__isnull=True).first()
    if customer is None:
        request.session.pop(SESSION_KEY, None)
    return customer


def use_language(request: HttpRequest, customer: Customer) -> None:
    """The customer's preferred language beats the browser's once they are signed in."""
    if customer.preferred_language:
        translation.activate(customer.preferred_language)
        request.LANGUAGE_CODE = customer.preferred_language


def portal_customer(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Call the view as view(request, customer, ...) for a signed-in customer; send everyone
    else to the portal's sign-in page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        customer = current_customer(request)
        if customer is None:
            return redirect("portal:login")
        use_language(request, customer)
        return view(request, customer, *args, **kwargs)

    return wrapped
