"""Staff move waiting bookings: up, down, to the top or to a place in their queue
(waitlist_move), or to another session of the event (waitlist_move_to_session).

The queue's order is booking.services.waitlist's (queue_order): arrival unless staff have given
a booking a place, kept in Booking.queue_at as a time among the queue's own, so that a booking
that arrives later still comes last and waitlist_fill, waitlist_position and every list read
one order. Each move writes an AuditEvent (who, when, from which place to which, why).

LOCKS. A move first takes the queue's session rows (FOR NO KEY UPDATE, in id order), as
waitlist_fill does: two staff moving in one queue, or a move and a freed seat, run one after
the other and each sees the other's result. Then the bookings it changes, with NOWAIT: a
booking someone is changing right now (a cancel, a promote) answers 409 waitlist_busy instead
of a wait that could deadlock with booking_promote (its booking first, then the session).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking import access
from booking.errors import (
    InvalidInput,
    InvalidTransition,
    PermissionDenied,
)
from booking.models import Booking, Event, Session
from booking.services.audit import audit_record
from booking.services.booking_move import booking_move
from booking.services.waitlist import _queue, queue_order
from booking.services.waitlist_locks import busy_as_conflict as _busy_as_conflict
from booking.services.waitlist_locks import lock_sessions as _lock_sessions
from booking.validation import text_clean

QUEUE_MOVES = ("up", "down", "top")
_TICK = timedelta(microseconds=1)


@dataclass
class WaitlistMove:
    booking: Booking
    from_position: int
    to_position: int

    @property
    def moved(self) -> bool:
        return self.from_position != self.to_position


@dataclass
class WaitlistSessionMove:
    booking: Booking
    from_session_id: int
    from_position: int | None
    position: int | None  # its place in the new session's queue; None when it got seats there

    @property
    def confirmed(self) -> bool:
        return self.booking.status == Booking.Status.CONFIRMED


def _queue_session_ids(booking: Booking) -> list[int]:
    if booking.session_id:
        return [booking.session_id]
    return list(
        Session.objects.filter(event_id=booking.event_id, status=Session.Status.SCHEDULED).values_list(
            "pk", flat=True
        )
    )


def _require_manager(actor, event: Event) -> None:
    if not access.can_manage_event(actor, event):
        raise PermissionDenied()


def _not_waiting() -> InvalidTransition:
    return InvalidTransition(_("Bokningen står inte på väntelistan. Bara väntande bokningar kan flyttas."))


def _place(to, *, index: int, length: int) -> int:
    """The 0-based place a move asks for, kept inside the queue."""
    wanted = {"up": index - 1, "down": index + 1, "top": 0}.get(to, to - 1 if isinstance(to, int) else index)
    return max(0, min(wanted, length - 1))


def _strictly_increasing(keys: list[datetime]) -> list[datetime]:
    """The queue's keys in order, a microsecond apart where two were equal (equal keys would
    leave the order to the ids, and a move between them would not show)."""
    out: list[datetime] = []
    for key in sorted(keys):
        out.append(key if not out or key > out[-1] else out[-1] + _TICK)
    return out


def waitlist_move(*, booking: Booking, to, actor, reason: str = "", now=None) -> WaitlistMove:
    """Staff move a waiting booking in its queue (its session's, or the series'): `to` is "up"
    or "down" (one place), "top", or a place (1 = first; past the end = last). The others keep
    their order. The queue's keys are handed round among its bookings, so a booking that
    arrives later still comes after all of them. Moving the first up, or the last down, changes
    nothing and writes nothing: the answer's `moved` is False. An AuditEvent records the move."""
    valid_place = isinstance(to, int) and not isinstance(to, bool) and 1 <= to <= 100_000
    if to not in QUEUE_MOVES and not valid_place:
        raise InvalidInput(
            errors=[{"pointer": "/position", "code": "invalid", "detail": _("Ange en plats i kön från 1.")}]
        )
    reason = text_clean(reason, pointer="/reason", max_length=1000, multiline=True)
    _require_manager(actor, booking.event)
    now = now or timezone.now()
    with _busy_as_conflict(), transaction.atomic():
        current = Booking.objects.only("pk", "status", "session_id", "event_id").get(pk=booking.pk)
        _lock_sessions(_queue_session_ids(current))
        rows = list(
            _queue(session_id=current.session_id, event_id=current.event_id)
            .select_for_update(of=("self",), no_key=True, nowait=True)
            .order_by(*queue_order())
            .only("pk", "name", "status", "session_id", "event_id", "waitlisted_at", "queue_at")
        )
        ids = [row.pk for row in rows]
        if booking.pk not in ids:
            raise _not_waiting()
        index = ids.index(booking.pk)
        target = _place(to, index=index, length=len(rows))
        moving = rows[index]
        if target == index:
            return WaitlistMove(moving, index + 1, index + 1)
        order = rows[:index] + rows[index + 1 :]
        order.insert(target, moving)
        keys = _strictly_increasing([row.queue_at or row.waitlisted_at or now for row in rows])
        changed = []
        for row, key in zip(order, keys, strict=True):
            if (row.queue_at or row.waitlisted_at) != key:
                row.queue_at, row.updated_at = key, now
                changed.append(row)
        Booking.objects.bulk_update(changed, ["queue_at", "updated_at"])
        audit_record(
            actor=actor,
            action="waitlist_move",
            object_type="booking",
            object_id=moving.pk,
            from_status=moving.status,
            to_status=moving.status,
            reason=reason,
            data={
                "from_position": index + 1,
                "to_position": target + 1,
                "session": moving.session_id,
                "event": moving.event_id,
            },
        )
    return WaitlistMove(moving, index + 1, target + 1)


def waitlist_move_to_session(*, booking: Booking, session: Session, actor, reason: str = "", now=None):
    """Staff move a waiting booking to another session of its event (the waitlist page): the
    one move service, booking.services.booking_move, with its rules; this adds only that the
    booking must be waiting. Returns a WaitlistSessionMove."""
    reason = text_clean(reason, pointer="/reason", max_length=1000, multiline=True)
    _require_manager(actor, booking.event)
    holds = Booking.objects.filter(pk=booking.pk, status__in=Booking.HOLDS_SEATS).exists()
    if holds and session.event_id == booking.event_id and booking.session_id != session.pk:
        raise _not_waiting()
    moved = booking_move(
        booking=booking,
        session=session,
        actor=actor,
        staff=True,
        reason=reason,
        now=now,
        audit_action="waitlist_move_session",
    )
    return WaitlistSessionMove(moved.booking, moved.from_session_id, moved.from_position, moved.position)
