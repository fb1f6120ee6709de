"""THE BOOKINGS OF A SESSION: its own bookings and its event's series bookings (a series
booking has no session: it holds a seat in every session of the event).

One decider for the participants' list (API and staff pages), a message to a session's bookers
(staff), the outbox's messages about a session, and the waitlist length the event pages show.
"""

from django.db.models import OuterRef, Q, QuerySet

from booking.models import Booking, Session


def session_bookings_q(*, session_id, event_id) -> Q:
    """The condition on Booking. The ids may be OuterRef()s, for a subquery per session."""
    return Q(session_id=session_id) | Q(session__isnull=True, event_id=event_id)


def session_bookings_of_outer_session() -> Q:
    """session_bookings_q for a subquery of a Session queryset (OuterRef("pk"))."""
    return session_bookings_q(session_id=OuterRef("pk"), event_id=OuterRef("event_id"))


def session_bookings(session: Session) -> QuerySet:
    """Every booking of the session, any status: its own and the series'."""
    return Booking.objects.filter(session_bookings_q(session_id=session.pk, event_id=session.event_id))
