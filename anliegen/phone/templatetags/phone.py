"""Template filters of the phone app."""

import phonenumbers
from django import template

register = template.Library()


@register.filter
def phone_display(number: str) -> str:
    """+49301234567 → +49 30 1234567 (readable to dial); anything unparsable stays as it is."""
    if not number:
        return ""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
