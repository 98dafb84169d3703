from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

# The status as a customer understands it, not the agents' queue vocabulary.
CUSTOMER_STATUS = {
    "new": _("Received"),
    "open": _("In progress"),
    "pending": _("Waiting for your answer"),
    "solved": _("Solved"),
    "closed": _("Closed"),
}


@register.filter
def customer_status(status: str) -> str:
    return str(CUSTOMER_STATUS.get(status, status))
