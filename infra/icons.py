"""The site's icons: small inline SVGs drawn on a 24×24 grid with the text colour.

Every symbol a page shows is one of these, never an emoji: a system without an emoji
font shows emoji as empty boxes (SPEC 10: icons never depend on an emoji font). Pages
write ``{% icon "trophy" %}`` (``infra.templatetags.icons``); Python calls ``icon_svg``.
An icon beside text that says the same is hidden from screen readers; an icon alone gets
a label (``role="img"`` with a ``<title>``).
"""

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import pgettext_lazy

# name: (what staff read in the admin, the SVG's inner markup). Strokes only: the
# <svg> element sets fill="none" and stroke="currentColor".
ICONS = {
    "seedling": (
        pgettext_lazy("icon", "Seedling"),
        '<path d="M12 21v-8"/><path d="M12 13C12 9 9 6 4 6c0 4 3 7 8 7z"/><path d="M12 11c0-3 2-6 7-6 0 4-3 6-7 6z"/>',
    ),
    "flame": (
        pgettext_lazy("icon", "Flame"),
        '<path d="M12 22a7 7 0 0 1-7-7c0-4 3-6 4-10 2 2 3 4 3 6 1-1 2-2 2-4 2 2 5 5 5 8a7 7 0 0 1-7 7z"/>',
    ),
    "books": (
        pgettext_lazy("icon", "Books"),
        '<path d="M3 4h4v16H3zM9 4h4v16H9zM15 5.5l3.6-1L22 19l-3.6 1z"/><path d="M3 8h4M9 16h4"/>',
    ),
    "diver": (
        pgettext_lazy("icon", "Diving mask"),
        '<path d="M2 9a2 2 0 0 1 2-2h12a2 2 0 0 1 2 2v3a3 3 0 0 1-3 3h-2.5L11 13H9l-1.5 2H5a3 3 0 0 1-3-3z"/>'
        '<path d="M21 3v12a5 5 0 0 1-5 5h-5"/>',
    ),
    "flag": (pgettext_lazy("icon", "Flag"), '<path d="M5 22V3"/><path d="M5 4h13l-2.5 4.5L18 13H5"/>'),
    "map": (pgettext_lazy("icon", "Map"), '<path d="M3 6l6-3 6 3 6-3v15l-6 3-6-3-6 3z"/><path d="M9 3v15M15 6v15"/>'),
    "trophy": (
        pgettext_lazy("icon", "Trophy"),
        '<path d="M7 4h10v5a5 5 0 0 1-10 0z"/><path d="M7 6H4v1a3 3 0 0 0 3 3M17 6h3v1a3 3 0 0 1-3 3"/>'
        '<path d="M12 14v4M8 18h8v3H8z"/>',
    ),
    "bolt": (pgettext_lazy("icon", "Lightning bolt"), '<path d="M13 2 4 14h7l-1 8 9-12h-7z"/>'),
    "calendar": (
        pgettext_lazy("icon", "Calendar"),
        '<rect x="3" y="5" width="18" height="16" rx="2"/><path d="M3 10h18M8 3v4M16 3v4"/>'
        '<path d="M8 14h.01M12 14h.01M16 14h.01M8 17h.01M12 17h.01"/>',
    ),
    "speech": (
        pgettext_lazy("icon", "Speech bubble"),
        '<path d="M5 4h14a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2h-9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/>'
        '<path d="M8 9h8M8 12h5"/>',
    ),
    "bug": (
        pgettext_lazy("icon", "Bug"),
        '<ellipse cx="12" cy="14" rx="5" ry="6"/><path d="M9 8a3 3 0 0 1 6 0M12 10v10"/>'
        '<path d="M7 13H3M21 13h-4M7.5 18 4 20M16.5 18l3.5 2M7.5 9.5 5 7M16.5 9.5 19 7"/>',
    ),
    "medal": (
        pgettext_lazy("icon", "Medal"),
        '<path d="M8 2l3 6.5M16 2l-3 6.5"/><circle cx="12" cy="15" r="6"/><circle cx="12" cy="15" r="2.5"/>',
    ),
    "star": (
        pgettext_lazy("icon", "Star"),
        '<path d="m12 3 2.7 5.6 6.1.8-4.5 4.3 1.1 6.1L12 16.9l-5.4 2.9 1.1-6.1-4.5-4.3 6.1-.8z"/>',
    ),
    # Symbols of the interface, not offered for achievements.
    "lock": (
        pgettext_lazy("icon", "Lock"),
        '<rect x="5" y="11" width="14" height="10" rx="2"/><path d="M8 11V7a4 4 0 0 1 8 0v4"/>',
    ),
    "bell": (
        pgettext_lazy("icon", "Bell"),
        '<path d="M6 16v-5a6 6 0 0 1 12 0v5l2 2H4z"/><path d="M10 21a2 2 0 0 0 4 0"/>',
    ),
    "check": (pgettext_lazy("icon", "Check mark"), '<path d="m5 12 5 5 9-10"/>'),
}

# What staff may pick for an achievement (Achievement.icon's choices).
ACHIEVEMENT_ICONS = [
    (name, ICONS[name][0])
    for name in (
        "seedling", "flame", "books", "diver", "flag", "map", "trophy", "bolt", "calendar", "speech", "bug", "medal",
        "star",
    )
]  # fmt: skip
FALLBACK = "medal"


def icon_svg(name: str, *, label: str = "", css_class: str = "") -> SafeString:
    """The named icon as inline SVG (an unknown name draws the fallback medal rather than nothing).

    Without ``label`` it is decoration (``aria-hidden``): put it next to words that say the
    same. With ``label`` it is an image with that accessible name."""
    _label, body = ICONS.get(name) or ICONS[FALLBACK]
    classes = f"icon {css_class}".strip()
    if label:
        opening = format_html(
            '<svg class="{}" role="img" aria-label="{}" focusable="false" {}><title>{}</title>',
            classes,
            label,
            _ATTRIBUTES,
            label,
        )
    else:
        opening = format_html('<svg class="{}" aria-hidden="true" focusable="false" {}>', classes, _ATTRIBUTES)
    # The bodies are constants of this module, never input.
    return mark_safe(f"{opening}{body}</svg>")


_ATTRIBUTES = mark_safe(
    'width="24" height="24" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" '
    'stroke-linecap="round" stroke-linejoin="round"'
)
