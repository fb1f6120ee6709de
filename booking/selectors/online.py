"""WHO SEES AN ONLINE EVENT'S MEETING LINK, decided here for every face: the booker of a
confirmed booking of an online or mixed event (the manage page, api_url, their messages and
their booking's .ics), and staff. Never a public page, feed, JSON-LD or public API answer."""

from booking.models import Booking, Event

ONLINE_MODES = (Event.AttendanceMode.ONLINE, Event.AttendanceMode.MIXED)


def online_url_for(booking: Booking) -> str:
    """The meeting link this booking's booker may see, or ""."""
    event = booking.event
    if booking.status != Booking.Status.CONFIRMED or event.attendance_mode not in ONLINE_MODES:
        return ""
    return event.online_url or ""
