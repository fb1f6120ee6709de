"""A booking's two tokens: the manage token (the booker's key) and the calendar token derived
from it; both stored only as digests. Finding a booking by either, and the booker's links."""

import base64
import hashlib

from django.conf import settings

from booking.models import Booking
from booking.services.tokens import token_digest


def calendar_token_for(*, manage_token: str) -> str:
    """The booking's read-only calendar token, derived one-way from its manage token.

    Both are stored only as digests; deriving the calendar token lets the manage page and
    GET api_url show ics_url again later, while the calendar token (shared with a calendar
    app) reveals nothing of the manage token. 192 bits, like the manage token."""
    raw = hashlib.sha256(b"lasrum-calendar:" + manage_token.encode("utf-8")).digest()[:24]
    return base64.urlsafe_b64encode(raw).decode("ascii")


def _by_digest(field: str, token) -> Booking | None:
    if not isinstance(token, str) or not 16 <= len(token) <= 100:
        return None
    return Booking.objects.select_related("event", "session").filter(**{field: token_digest(token)}).first()


def booking_by_manage_token(*, token: str) -> Booking | None:
    """The booking this manage token opens, or None (for any token that is not one: wrong
    type, wrong length, unknown)."""
    return _by_digest("manage_token_hash", token)


def booking_by_calendar_token(*, token: str) -> Booking | None:
    """The booking of this calendar token, or None (as booking_by_manage_token)."""
    return _by_digest("calendar_token_hash", token)


def booking_links(*, booking: Booking, manage_token: str, calendar_token: str | None = None) -> dict:
    """Absolute links for the booker: the manage page (short, for an SMS), this booking's JSON
    and its calendar. The calendar token can be left out: it is derived from the manage token."""
    base = settings.PUBLIC_BASE_URL
    calendar_token = calendar_token or calendar_token_for(manage_token=manage_token)
    return {
        "manage_url": f"{base}/b/{manage_token}",
        "api_url": f"{base}/api/v1/bookings/manage/{manage_token}/",
        "ics_url": f"{base}/feeds/bookings/{calendar_token}.ics",
    }
