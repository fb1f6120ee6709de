"""booking_create's measured speed tricks (bench/booking_rush.py), each kept apart from the rule
with one line that says what it saves. None of them decides anything: the seat guard does."""

from collections.abc import Callable

from django.db import transaction

from booking.messages import notify_booking
from booking.models import Booking, Session


class _NoRoom(Exception):
    pass


# Read as full: the seats are taken first, so that a waiting booking is written once, not twice.
def sessions_look_full(*, sessions: list[Session], seats: int) -> bool:
    """Did one of the sessions, as read, have too few seats left? A hint only: seats may have
    been taken or freed since (a session whose seats were not read counts as having room)."""
    return any(
        "seats_taken" not in s.get_deferred_fields() and s.seats_taken + seats > s.capacity for s in sessions
    )


# Seats taken LAST lock the hot session row only until COMMIT, with no savepoint (one cost ~12% CPU).
def written_if_room(*, write: Callable[[], Booking], take_seats: Callable[[], bool]) -> Booking | None:
    """write()'s booking, committed with take_seats() run after it; or None, with nothing
    written (this transaction, or inside a caller's this savepoint, rolled back), when
    take_seats() found no room."""
    try:
        with transaction.atomic():
            booking = write()
            if not take_seats():
                raise _NoRoom()
        return booking
    except _NoRoom:
        return None


# Known to have no accessibility request: the outbox's look for needs staff must prepare costs no query.
def accessibility_known_none(*, booking: Booking) -> None:
    Booking.accessibility.related.set_cached_value(booking, None)


# What booking_create has read already, handed on: the outbox reads no sessions, needs or consent again.
def notify_created(
    *, booking: Booking, manage_token: str, sessions: list[Session] | None, prepared_needs: list[str]
):
    """Tell the booker of their new booking (confirmed or waiting)."""
    notify_booking(
        booking,
        "confirmed" if booking.status == Booking.Status.CONFIRMED else "waitlisted",
        manage_token=manage_token,  # only here is the plaintext at hand (see notifications.outbox)
        created=True,
        sessions=sessions,
        prepared_needs=prepared_needs,
    )
