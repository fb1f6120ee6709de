"""Moving a booking to another session of its event: THE ONE SERVICE for the booker (the manage
page, PATCH on api_url with `session`) and for staff (POST /bookings/{id}/move/ with `session`,
the participant list; waitlist_move_to_session calls it).

RULES. Only a per-session booking moves (a series booking holds every session already); the
target is a scheduled, not yet begun session of the same event, open for booking when the
booker moves (staff may move until it begins). A booking that holds seats (confirmed, offered)
takes all its seats there through the seat guard, and only when nobody in the target's queue
could use them (no jumping its waitlist): else a 409 session_full and the booking stays where
it is. A waiting booking takes seats there on the same terms, else joins the END of the
target's queue (queue_at = now; a place staff gave it in the old queue stays behind). The seats
it held go to the old session's waitlist in the same transaction. The booker gets a new
confirmation ("moved"), the reminders follow the new session, the booking's calendar shows it.

LOCKS. The two session rows first (FOR NO KEY UPDATE, in id order, as waitlist_fill and the
seat guard take them), then the booking with NOWAIT (booking_promote locks its booking before
the session): a booking being changed right now is a 409 waitlist_busy to try again.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from booking.errors import BookingClosed, InvalidTransition, SessionCancelled, SessionFull
from booking.messages import notify_booking
from booking.models import Booking, Event, Session
from booking.services.audit import audit_record
from booking.services.bookings import booking_window_refusal
from booking.services.seats import seats_release, seats_take
from booking.services.waitlist import _queue, waitlist_fill, waitlist_position
from booking.services.waitlist_locks import busy_as_conflict, lock_sessions

_CLOSED = (Booking.Status.CANCELLED, Booking.Status.EXPIRED)


@dataclass
class BookingMove:
    booking: Booking
    from_session_id: int
    from_status: str
    from_position: int | None
    position: int | None  # its place in the new session's queue; None when it holds seats there

    @property
    def confirmed(self) -> bool:
        return self.booking.status == Booking.Status.CONFIRMED


def _check_target(current: Booking, target: Session, *, staff: bool, now) -> None:
    event = current.event
    if target.status != Session.Status.SCHEDULED or event.status == Event.Status.CANCELLED:
        raise SessionCancelled()
    if target.start <= now:
        raise BookingClosed(_("Tillfället har redan börjat."))
    if not staff:
        refusal = booking_window_refusal(event=event, sessions=[target], now=now)
        if refusal is not None:
            raise refusal()
    if current.seats > target.capacity:
        raise SessionFull(
            ngettext(
                "Tillfället har bara %(capacity)s plats, bokningen gäller %(seats)s.",
                "Tillfället har bara %(capacity)s platser, bokningen gäller %(seats)s.",
                target.capacity,
            )
            % {"capacity": target.capacity, "seats": current.seats}
        )


def _take_there(current: Booking, target: Session) -> bool:
    """All the booking's seats in the target, unless someone waiting there could use them."""
    ahead = _queue(session_id=target.pk).filter(seats__lte=current.seats).exclude(pk=current.pk)
    return not ahead.exists() and seats_take(session_ids=[target.pk], seats=current.seats)


def booking_move(
    *,
    booking: Booking,
    session: Session,
    actor=None,
    staff: bool = False,
    reason: str = "",
    now=None,
    audit_action: str = "booking_move",
) -> BookingMove:
    """Move a per-session booking to `session` (see the module's rules). `staff`: moved by
    staff (`actor`, with an AuditEvent), who may move outside the booking window."""
    if session.event_id != booking.event_id:
        raise InvalidTransition(_("Bokningen kan bara flyttas till ett annat tillfälle av samma evenemang."))
    if booking.event.booking_mode != Event.BookingMode.SESSION or not booking.session_id:
        raise InvalidTransition(_("En bokning av en hel serie kan inte flyttas till ett annat tillfälle."))
    now = now or timezone.now()
    with busy_as_conflict(), transaction.atomic():
        source_id = Booking.objects.filter(pk=booking.pk).values_list("session_id", flat=True).get()
        if source_id == session.pk:
            raise InvalidTransition(_("Bokningen gäller redan det tillfället."))
        locked = lock_sessions([source_id, session.pk])
        target, source = locked[session.pk], locked[source_id]
        current = (
            Booking.objects.select_for_update(of=("self",), no_key=True, nowait=True)
            .select_related("event__library")
            .get(pk=booking.pk)
        )
        if current.status in _CLOSED or current.session_id != source_id:
            raise InvalidTransition(_("En avbokad bokning kan inte flyttas."))
        _check_target(current, target, staff=staff, now=now)
        before = current.status
        from_position = waitlist_position(current) if before == Booking.Status.WAITLISTED else None
        held = current.holds_seats
        fields = ["session", "status", "queue_at", "updated_at"]
        if _take_there(current, target):
            if held:
                seats_release(session_ids=[source_id], seats=current.seats)
            if before != Booking.Status.CONFIRMED:
                current.confirmed_at = now
                current.promoted = current.promoted or staff
                current.offer_expires_at = (
                    None if before == Booking.Status.OFFERED else current.offer_expires_at
                )
                fields += ["confirmed_at", "promoted", "offer_expires_at"]
            if current.overbooked_seats:
                current.overbooked_seats = 0  # it took its seats there through the guard
                fields.append("overbooked_seats")
            current.status = Booking.Status.CONFIRMED
            current.queue_at = None
        elif held or current.event.waitlist_mode == Event.WaitlistMode.NONE:
            raise SessionFull()  # the booking stays where it is
        else:
            current.queue_at = now  # the end of the target's queue
        current.session = target
        current.save(update_fields=fields)
        position = waitlist_position(current)
        if staff:
            audit_record(
                actor=actor,
                action=audit_action,
                object_type="booking",
                object_id=current.pk,
                from_status=before,
                to_status=current.status,
                reason=reason,
                data={
                    "from_session": source_id,
                    "to_session": target.pk,
                    "from_position": from_position,
                    "to_position": position,
                },
            )
        notify_booking(current, "moved", session=target, now=now)
        if held:
            waitlist_fill(session=source, now=now)
    return BookingMove(current, source_id, before, from_position, position)
