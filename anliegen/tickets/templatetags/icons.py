from django import template
from django.utils.safestring import SafeString

from anliegen.tickets.icons import icon as render_icon

register = template.Library()


@register.simple_tag
def icon(name: str, label: str = "") -> SafeString:
    """{% icon "lock" _("Confidential") %}: an SVG icon shipped with Anliegen."""
    return render_icon(name, str(label))
