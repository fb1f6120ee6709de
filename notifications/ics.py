"""The .ics attached to confirmation e-mails: the booking's own calendar, the same one its
ics_url serves (feeds.ical builds it: same UIDs and SEQUENCE, so a later feed refresh updates
the event instead of duplicating it). A minimal icalendar fallback keeps mail going if the
feeds builder fails."""

import logging
from datetime import UTC, datetime

from django.conf import settings
from icalendar import Calendar, Event

from feeds import selectors
from feeds.ical import FeedOptions, event_title, feed_render

logger = logging.getLogger("notifications.ics")


def booking_ics(booking) -> bytes:
    try:
        loaded = selectors.load_sessions(selectors.booking_sessions(booking))
        sessions = loaded.values() if isinstance(loaded, dict) else loaded
        return feed_render(
            name=event_title(booking.event, booking.language),
            key=f"booking:{booking.pk}",
            sessions=sorted(sessions, key=lambda session: (session.start, session.pk)),
            options=FeedOptions(
                lang=booking.language, base_url=settings.PUBLIC_BASE_URL, audience="booking", booking=booking
            ),
        )
    except Exception:  # an attachment must never stop a confirmation from going out
        logger.exception("the feeds builder failed for booking %s; attaching a minimal .ics", booking.pk)
        return _minimal(booking)


def _minimal(booking) -> bytes:
    calendar = Calendar()
    calendar.add("PRODID", "-//Läsrum//Bokning//SV")
    calendar.add("VERSION", "2.0")
    sessions = [booking.session] if booking.session_id else list(booking.event.sessions.order_by("start"))
    for session in sessions:
        item = Event()
        item.add("UID", f"{session.uid}@lasrum")
        item.add("SEQUENCE", session.sequence)
        item.add("DTSTAMP", session.updated_at or datetime.now(UTC))
        item.add("DTSTART", session.start)
        item.add("DTEND", session.end)
        item.add("SUMMARY", booking.event.title)
        item.add("LOCATION", booking.event.library.name)
        item.add("STATUS", "CANCELLED" if session.status == "cancelled" else "CONFIRMED")
        calendar.add_component(item)
    return calendar.to_ical()
