"""The booking window: when a session (or a series) can be booked, by the public and by staff."""

from datetime import datetime

from booking.errors import BookingClosed, BookingNotOpen, DomainError, SessionCancelled
from booking.models import Event, Session


def booking_window_refusal(
    *, event: Event, sessions: list[Session], now: datetime, staff: bool = False
) -> type[DomainError] | None:
    """THE BOOKING WINDOW: why `sessions` of `event` (the session booked, or a series' scheduled
    sessions in order) cannot be booked at `now`, or None when they can. A draft has not
    opened; a cancelled event or session is cancelled. Staff booking on someone's behalf (a
    phone call, a walk-in at the door) may book before the window opens and after it closes,
    until the session ends. The pages ask this too, to show the state and refuse early."""
    if event.status == Event.Status.CANCELLED or not sessions:
        return SessionCancelled
    if any(s.status == Session.Status.CANCELLED for s in sessions):
        return SessionCancelled
    if event.status == Event.Status.DRAFT and not staff:
        return BookingNotOpen
    first = sessions[0]
    if staff:
        if max(s.end for s in sessions) <= now or event.status == Event.Status.COMPLETED:
            return BookingClosed
        return None
    if event.status != Event.Status.PUBLISHED:
        return BookingClosed
    if event.booking_opens and now < event.booking_opens:
        return BookingNotOpen
    if now >= first.start - event.booking_closes_before:
        return BookingClosed
    return None
