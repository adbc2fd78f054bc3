"""Where a form may send a person back to: a path on this site, never another site.

One rule for every ``next`` and "back to the page" value the site accepts (the progress button
without JavaScript, the one-click verification mail, the report form's page): a path that starts
with a single ``/``, no scheme, no host, no protocol-relative ``//`` or ``/\\``, no control
characters. Anything else is refused (the caller picks its fallback): never an open redirect.
"""

from django.utils.http import url_has_allowed_host_and_scheme


def local_path(value: str | None, *, max_length: int = 2000) -> str:
    """``value`` if it is a path on this site, else ``""``."""
    value = (value or "").strip()
    if not value.startswith("/") or value.startswith(("//", "/\\")) or len(value) > max_length:
        return ""
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
        return ""
    if not url_has_allowed_host_and_scheme(value, allowed_hosts=set(), require_https=False):
        return ""
    return value
