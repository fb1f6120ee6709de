"""The seat guard: the only code that changes Session.seats_taken.

Seats are taken with a conditional UPDATE whose row count decides who won:

    UPDATE booking_session SET seats_taken = seats_taken + n
     WHERE id = %s AND status = 'scheduled' AND seats_taken <= capacity - n

Two bookings racing for the last seat cannot both match the WHERE clause: PostgreSQL re-checks
it on the row's newest version after waiting for the other writer's lock, and SQLite runs one
IMMEDIATE transaction at a time. The CHECK constraint session_not_oversold
(seats_taken <= capacity + overbooked) turns any bug that slips past this into an error
instead of an oversold room. A series takes its sessions in ascending id order, so that two
series bookings never wait on each other's rows in opposite orders (no deadlock).

`overbooked` is kept equal to how far staff have pushed a session over its capacity
(max(0, seats_taken - capacity)); it only grows through seats_take_over_capacity and shrinks
as seats are freed. These functions must run inside the caller's transaction.
"""

from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest, Least

from booking.errors import SessionCancelled
from booking.models import Booking, Session


def _require_transaction():
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("seat changes must run inside transaction.atomic()")


# The statement of the module docstring, written out: it runs in every booking's transaction,
# and the ORM spends ~0.25 ms of CPU building it each time (a fifth of a booking; measured with
# bench/booking_rush.py). The same SQL on PostgreSQL and SQLite.
TAKE_SQL = (
    "UPDATE booking_session SET seats_taken = seats_taken + %s"
    " WHERE id = %s AND status = %s AND seats_taken <= capacity - %s"
)


# A series: every session in one statement, whatever their number. On PostgreSQL the rows are
# first locked in ascending id order by the subquery (FOR NO KEY UPDATE under ORDER BY), so two
# series bookings never wait on each other's rows in opposite orders; SQLite writes one
# transaction at a time. RETURNING tells which sessions had room.
TAKE_MANY_SQL = (
    "UPDATE booking_session SET seats_taken = seats_taken + %s"
    " WHERE id IN ({ids}) AND status = %s AND seats_taken <= capacity - %s RETURNING id"
)
TAKE_MANY_SQL_POSTGRES = (
    "UPDATE booking_session SET seats_taken = seats_taken + %s"
    " WHERE id IN (SELECT id FROM booking_session WHERE id IN ({ids}) ORDER BY id FOR NO KEY UPDATE)"
    " AND status = %s AND seats_taken <= capacity - %s RETURNING id"
)


def seats_take(*, session_ids, seats: int) -> bool:
    """Take `seats` in every session, all or nothing. False when one has no room."""
    _require_transaction()
    seats = int(seats)
    session_ids = sorted(set(session_ids))
    status = Session.Status.SCHEDULED.value
    if len(session_ids) == 1:
        with connection.cursor() as cursor:
            cursor.execute(TAKE_SQL, [seats, session_ids[0], status, seats])
            return bool(cursor.rowcount)
    if not session_ids:
        return True
    template = TAKE_MANY_SQL_POSTGRES if connection.vendor == "postgresql" else TAKE_MANY_SQL
    sql = template.format(ids=", ".join(["%s"] * len(session_ids)))
    with connection.cursor() as cursor:
        cursor.execute(sql, [seats, *session_ids, status, seats])
        taken = [row[0] for row in cursor.fetchall()]
    if len(taken) < len(session_ids):
        if taken:
            seats_release(session_ids=taken, seats=seats)
        return False
    return True


def seats_take_over_capacity(*, session_ids, seats: int) -> int:
    """Staff only, with a recorded reason: take the seats even where they do not fit, and
    record the excess in Session.overbooked. Returns the largest excess over the sessions."""
    _require_transaction()
    excess_max = 0
    for session_id in sorted(session_ids):
        session = (
            Session.objects.select_for_update(no_key=True)
            .only("capacity", "seats_taken", "overbooked", "status")
            .get(pk=session_id)
        )
        if session.status != Session.Status.SCHEDULED:
            raise SessionCancelled()
        excess = max(0, seats - max(0, session.capacity - session.seats_taken))
        Session.objects.filter(pk=session_id).update(
            seats_taken=F("seats_taken") + seats, overbooked=F("overbooked") + excess
        )
        excess_max = max(excess_max, excess)
    return excess_max


def seats_release(*, session_ids, seats: int) -> None:
    """Give seats back. Over-capacity seats are given back first: a session overbooked by 2
    that loses one booker is still full, so nothing goes to the waitlist until it is under."""
    _require_transaction()
    for session_id in sorted(session_ids):
        Session.objects.filter(pk=session_id, seats_taken__gte=seats).update(
            seats_taken=F("seats_taken") - seats,
            # In an UPDATE, every right-hand side reads the row as it was before.
            overbooked=Least(F("overbooked"), Greatest(Value(0), F("seats_taken") - seats - F("capacity"))),
        )


def booking_session_ids(booking: Booking) -> list[int]:
    """The sessions whose seats this booking holds (or would hold): its session, or for a
    series every session of the event that existed and was scheduled when it took its seats."""
    if booking.session_id:
        return [booking.session_id]
    sessions = Session.objects.filter(event_id=booking.event_id)
    taken_at = booking.offered_at or booking.confirmed_at
    if booking.holds_seats and taken_at:
        sessions = sessions.filter(created_at__lte=taken_at).exclude(cancelled_at__lte=taken_at)
    else:
        sessions = sessions.filter(status=Session.Status.SCHEDULED)
    return sorted(sessions.values_list("pk", flat=True))
