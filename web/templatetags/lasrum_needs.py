"""The booker's needs and meeting link on their own pages (booked, manage)."""

from django import template

from booking.selectors.needs import booking_needs
from booking.selectors.online import online_url_for

register = template.Library()


@register.simple_tag
def needs_of(booking) -> dict:
    return booking_needs(booking, alternatives=True)


@register.simple_tag
def online_link(booking) -> str:
    return online_url_for(booking)


@register.filter
def venue_meets(venue_needs: dict, code) -> object:
    """True / False for a need the venue can meet, None for one that is not a matter of it."""
    return (venue_needs or {}).get(str(code))
