"""``{% icon "trophy" %}``: one of the site's inline SVG icons (``infra.icons``).

``{% icon "lock" label=_("Locked") %}`` gives it an accessible name; without a label it is
hidden from screen readers, for use next to words that say the same. ``class`` adds CSS
classes to the ``<svg>``."""

from django import template
from django.utils.safestring import SafeString

from infra.icons import icon_svg

register = template.Library()


@register.simple_tag(name="icon")
def icon(name: str, label: str = "", **attributes: str) -> SafeString:
    return icon_svg(str(name), label=str(label), css_class=attributes.get("class", ""))
