"""Booking seats: create, change, cancel, claim an offer, promote.

Every write runs in one short transaction that changes the seats (through the seat guard in
booking.services.seats), the booking, its Notification rows (notifications.outbox) and, for
staff actions, an AuditEvent — so they commit together or not at all. Seats freed in the
transaction go to the waitlist in the same transaction (booking.services.waitlist).

- create: booking_create (the rule), with its measured speed tricks apart in speed
- change: booking_change; transitions: booking_cancel, booking_claim, booking_promote
- input: the booker's seats and contact checked; needs: accessibility needs
- window: booking_window_refusal; tokens: the manage and calendar tokens, the booker's links
"""

from booking.services.bookings.change import booking_change
from booking.services.bookings.create import BookingResult, booking_create
from booking.services.bookings.tokens import (
    booking_by_calendar_token,
    booking_by_manage_token,
    booking_links,
    calendar_token_for,
)
from booking.services.bookings.transitions import booking_cancel, booking_claim, booking_promote
from booking.services.bookings.window import booking_window_refusal

__all__ = [
    "BookingResult",
    "booking_by_calendar_token",
    "booking_by_manage_token",
    "booking_cancel",
    "booking_change",
    "booking_claim",
    "booking_create",
    "booking_links",
    "booking_promote",
    "booking_window_refusal",
    "calendar_token_for",
]
