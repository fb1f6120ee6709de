"""The one place that decides a client's address.

A request's address is the socket's (REMOTE_ADDR) unless NUM_PROXIES trusted proxies stand in
front of us: then it is the address the outermost trusted proxy saw, read from the right of
X-Forwarded-For. Everything to the left of that is what the client wrote itself, so counting by
the whole header (or by its first entry) lets a client pick a new identity per request. DRF's
throttles, the web forms' limits, django-axes (AXES_CLIENT_IP_CALLABLE), anonymous idempotency
scopes and the audit all call this one function.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """The client's address as the configured proxies vouch for it; "unknown" if none is readable."""
    meta = request.META
    proxies = getattr(settings, "NUM_PROXIES", 0)
    if proxies > 0:
        forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            candidate = forwarded[-min(proxies, len(forwarded))]
            if _is_address(candidate):
                return candidate
    remote = meta.get("REMOTE_ADDR", "")
    return remote if _is_address(remote) else "unknown"


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def client_ip_or_none(request) -> str | None:
    """client_ip for django-axes (AXES_CLIENT_IP_CALLABLE), whose address column takes no "unknown"."""
    address = client_ip(request)
    return None if address == "unknown" else address
