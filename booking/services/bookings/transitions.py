"""A booking's state changes: the booker cancels or claims an offered seat, staff cancel or
promote from the waitlist. Seats freed go to the waitlist in the same transaction."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.errors import InvalidTransition, OfferExpired
from booking.messages import notify_booking
from booking.models import Booking
from booking.services.bookings.rows import booking_audit, booking_locked
from booking.services.seats import booking_session_ids, seats_release, seats_take, seats_take_over_capacity
from booking.services.waitlist import waitlist_fill_for
from booking.validation import text_clean

if TYPE_CHECKING:
    from booking.services.bookings.rows import Actor


def booking_cancel(
    *,
    booking: Booking,
    by: str = Booking.CancelledBy.BOOKER,
    actor: Actor = None,
    reason: str = "",
) -> Booking:
    """Cancel and free the seats; the waitlist gets them in the same transaction."""
    reason = text_clean(reason, pointer="/reason", max_length=1000, multiline=True)
    with transaction.atomic():
        current = booking_locked(booking=booking)
        if current.status in (Booking.Status.CANCELLED, Booking.Status.EXPIRED):
            raise InvalidTransition()
        before = current.status
        held = current.holds_seats
        if held:
            seats_release(session_ids=booking_session_ids(current), seats=current.seats)
        current.status = Booking.Status.CANCELLED
        current.cancelled_at = timezone.now()
        current.cancelled_by = by
        current.cancel_reason = reason
        current.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason", "updated_at"])
        notify_booking(current, "cancelled")
        if by == Booking.CancelledBy.STAFF:
            booking_audit(
                actor=actor,
                action="booking_cancel",
                booking=current,
                from_status=before,
                to_status=current.status,
                reason=reason,
            )
        if held:
            waitlist_fill_for(current)
    return current


def booking_claim(*, booking: Booking, now: datetime | None = None) -> Booking:
    """Accept an offered seat before its deadline. Claiming twice is harmless."""
    now = now or timezone.now()
    with transaction.atomic():
        current = booking_locked(booking=booking)
        if current.status == Booking.Status.CONFIRMED and current.promoted:
            return current
        if current.status == Booking.Status.EXPIRED:
            raise OfferExpired()
        if current.status != Booking.Status.OFFERED:
            raise InvalidTransition()
        if now >= current.offer_expires_at:
            raise OfferExpired()
        current.status = Booking.Status.CONFIRMED
        current.confirmed_at = now
        current.save(update_fields=["status", "confirmed_at", "updated_at"])
        notify_booking(current, "confirmed")
    return current


def booking_promote(*, booking: Booking, actor: Actor, reason: str = "") -> Booking:
    """Staff move a waiting (or offered) booking to confirmed, over capacity if they must:
    the excess is recorded as overbooked, with the reason, in the audit trail."""
    reason = text_clean(reason, pointer="/reason", max_length=1000, multiline=True)
    now = timezone.now()
    with transaction.atomic():
        current = booking_locked(booking=booking)
        before = current.status
        if before not in (Booking.Status.WAITLISTED, Booking.Status.OFFERED):
            raise InvalidTransition()
        overbooked = 0
        if before == Booking.Status.WAITLISTED:
            session_ids = booking_session_ids(current)
            if not seats_take(session_ids=session_ids, seats=current.seats):
                overbooked = seats_take_over_capacity(session_ids=session_ids, seats=current.seats)
        current.status = Booking.Status.CONFIRMED
        current.confirmed_at = now
        current.promoted = True
        current.overbooked_seats = overbooked
        if overbooked:
            current.staff_reason = reason or _("Flyttad från väntelistan av personal.")
        current.save(
            update_fields=[
                "status",
                "confirmed_at",
                "promoted",
                "overbooked_seats",
                "staff_reason",
                "updated_at",
            ]
        )
        booking_audit(
            actor=actor,
            action="booking_promote",
            booking=current,
            from_status=before,
            to_status=current.status,
            reason=reason,
            data={"overbooked_seats": overbooked},
        )
        notify_booking(current, "promoted")
    return current
