"""The locks a move in or between waitlists takes (booking.services.waitlist_moves and
booking.services.booking_move): the queues' session rows, and NOWAIT on the bookings."""

from contextlib import contextmanager

from django.db import OperationalError

from booking.errors import WaitlistBusy
from booking.models import Session


@contextmanager
def busy_as_conflict():
    """A queue row another transaction is changing (NOWAIT found it locked): a 409 to try
    again, not a wait. Waiting could deadlock with booking_promote, which locks its booking
    before the session while a move holds the session and wants the booking."""
    try:
        yield
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) == "55P03":  # lock_not_available
            raise WaitlistBusy() from exc
        raise


def lock_sessions(session_ids) -> dict[int, Session]:
    """The queue's lock: its session rows, in id order, as waitlist_fill and the seat guard take them."""
    rows = (
        Session.objects.filter(pk__in=set(session_ids))
        .select_for_update(of=("self",), no_key=True)
        .order_by("pk")
    )
    return {row.pk: row for row in rows}
