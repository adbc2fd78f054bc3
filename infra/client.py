"""The client's address, the one way every limit and record of the site reads it.

Behind ``settings.TRUSTED_PROXY_COUNT`` proxies, each proxy appends the address it
received the request from to ``X-Forwarded-For``; the right-most N entries were
written by our own proxies, so the N-th from the right is the client as our
outermost proxy saw it. Anything further left was written by the client and may be
forged. With no proxy (0), the header is ignored and the socket address is used.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest

UNKNOWN = "unknown"
IPV6_GROUP_PREFIX = 64  # one household or server usually holds a whole /64


def _clean(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "192.0.2.1:443"
        value = value.split(":")[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str:
    """The client's IP address as text, or ``"unknown"`` when it cannot be told."""
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        forwarded = request.headers.get("X-Forwarded-For", "")
        entries = [entry for entry in forwarded.split(",") if entry.strip()]
        if len(entries) >= count:
            return _clean(entries[-count]) or UNKNOWN
        # Fewer entries than proxies: the request did not come through all of them
        # (a health check straight to gunicorn, say); the socket is all we know.
    return _clean(request.META.get("REMOTE_ADDR", "")) or UNKNOWN


def address_group(address: str) -> str:
    """What a per-address limit counts: an IPv4 address, or an IPv6 address's /64.

    One IPv6 client can choose among 2**64 addresses of its network; counting each
    separately would let it walk past any limit."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{parsed}/{IPV6_GROUP_PREFIX}", strict=False))
    return str(parsed)
