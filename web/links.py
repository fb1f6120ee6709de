"""Addresses the public pages link to, built by their owners' helpers: the booking's links by
booking.services.bookings.booking_links, the calendar links by feeds.links."""

from django.conf import settings
from django.utils.translation import get_language

from booking.services.bookings import booking_links
from feeds import links as feed_links


def absolute(path: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}{path}"


def _lang() -> str:
    return "en" if (get_language() or "sv").startswith("en") else "sv"


def booking_urls(booking, *, manage_token: str) -> dict:
    """manage_url, api_url and ics_url (the calendar token is derived from the manage token)."""
    return booking_links(booking=booking, manage_token=manage_token)


def library_subscribe(library):
    return feed_links.library_subscribe_links(library.pk, lang=_lang())


def event_ics_url(event) -> str:
    return feed_links.event_ics_url(event, lang=_lang())


def google_calendar_url(event, session) -> str:
    return feed_links.google_calendar_url(event, session, lang=_lang())


def webcal(url: str) -> str:
    return "webcal://" + url.split("://", 1)[-1]
