"""The waitlist: freed seats go to waiting bookings, in order of arrival, first fit.

THE RULE. When seats are freed (a booker's or staff's cancel, a seat decrease, an expired
offer, more capacity), the waiting bookings are walked in order of arrival (waitlisted_at, id)
and each one that fits in the seats still free is served; one that does not fit keeps its
place and is passed over for now. So a party of 3 at the head of the queue does not block a
party of 1 behind it when one seat frees, and gets the next three seats that come free
together. Serving is:
- waitlist_mode `auto`: confirmed at once;
- waitlist_mode `offer`: the seats are held for the booker (offered seats count as taken)
  until a claim deadline, OFFER_CLAIM_HOURS after the offer but never later than
  OFFER_LATEST_BEFORE_START_HOURS before the start. Where that would leave less than
  MIN_CLAIM_WINDOW to claim, or the offer would go out in the night (SMS_QUIET_HOURS, local
  time), the seats are confirmed at once instead: nobody is woken up or asked to answer in
  an hour.
offers_expire (a scheduled job) marks unclaimed offers `expired`, frees their seats and serves
the queue onwards. waitlist_fill runs in the caller's transaction, so the freed seat and its new
holder commit together; no seat can be offered twice because each waiting booking is taken
with a conditional UPDATE on its status, and seats through the seat guard.

THE ORDER. Arrival (waitlisted_at, then id) unless staff have moved a booking: then its place
is queue_at, a time among the queue's own (queue_order()). waitlisted_at stays the arrival time.
Staff move waiting bookings in booking.services.waitlist_moves.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from booking.messages import notify_booking
from booking.models import Booking, Event, Session
from booking.services.quiet_hours import in_quiet_hours
from booking.services.seats import booking_session_ids, seats_release, seats_take

MIN_CLAIM_WINDOW = timedelta(hours=2)
EXPIRE_BATCH = 500


def offer_deadline(*, start: datetime, now: datetime) -> datetime | None:
    """The claim deadline of an offer made now, or None when the seats should be confirmed
    at once instead (too little time left, or night)."""
    deadline = min(
        now + timedelta(hours=settings.OFFER_CLAIM_HOURS),
        start - timedelta(hours=settings.OFFER_LATEST_BEFORE_START_HOURS),
    )
    if deadline - now < MIN_CLAIM_WINDOW or in_quiet_hours(now):
        return None
    return deadline


def queue_key() -> Coalesce:
    """What the waitlist is ordered by (then id): the place staff gave it, else its arrival."""
    return Coalesce("queue_at", "waitlisted_at")


def queue_order() -> tuple:
    """order_by() arguments for a waitlist in its order; every reader of the queue uses these."""
    return (queue_key().asc(), "pk")


def _queue(*, session_id=None, event_id=None):
    if session_id:
        queue = Booking.objects.filter(session_id=session_id)
    else:
        queue = Booking.objects.filter(event_id=event_id, session__isnull=True)
    return queue.filter(status=Booking.Status.WAITLISTED)


def waitlist_fill(*, session: Session | None = None, event: Event | None = None, now=None) -> list[Booking]:
    """Serve the waiting bookings of a session (or of a series: pass the event) from the seats
    free now. Runs in the caller's transaction. Returns the bookings served."""
    if (session is None) == (event is None):
        raise TypeError("waitlist_fill takes exactly one of session or event")
    now = now or timezone.now()
    if not transaction.get_connection().in_atomic_block:
        with transaction.atomic():
            return waitlist_fill(session=session, event=event, now=now)
    event_id = session.event_id if session is not None else event.pk
    sessions_qs = (
        Session.objects.filter(pk=session.pk)
        if session is not None
        else Session.objects.filter(event_id=event_id, status=Session.Status.SCHEDULED)
    )
    # Lock the rows (PostgreSQL), in id order like the seat guard, so that two fills of one
    # session run one after the other and see each other's seats. FOR NO KEY UPDATE, not FOR
    # UPDATE: a booking being inserted takes KEY SHARE on its session through the foreign key,
    # and FOR UPDATE would make that insert and this fill wait on each other (a deadlock).
    rows = list(
        sessions_qs.select_for_update(of=("self",), no_key=True)
        .order_by("pk")
        .select_related("event")
        .only("pk", "start", "capacity", "seats_taken", "status", "event__waitlist_mode", "event__status")
    )
    if not rows or any(row.status != Session.Status.SCHEDULED for row in rows):
        return []
    mode = rows[0].event.waitlist_mode
    if mode == Event.WaitlistMode.NONE or rows[0].event.status != Event.Status.PUBLISHED:
        return []
    first_start = min(row.start for row in rows)
    if first_start <= now:
        return []  # too late to be useful
    free = min(row.capacity - row.seats_taken for row in rows)
    if free <= 0:
        return []
    session_ids = [row.pk for row in rows]
    served: list[Booking] = []
    candidates = _queue(session_id=session.pk if session is not None else None, event_id=event_id).filter(
        seats__lte=free
    )
    for booking in candidates.order_by(*queue_order()):
        # The seats as they are now, under the booking's lock: a waiting booker may have
        # changed them since the queue was read (booking_change takes no session lock then).
        booking.seats = _waiting_seats_locked(booking.pk)
        if booking.seats is None or booking.seats > free:
            continue
        if not seats_take(session_ids=session_ids, seats=booking.seats):
            break  # cannot happen while we hold the rows; stop rather than guess
        deadline = offer_deadline(start=first_start, now=now) if mode == Event.WaitlistMode.OFFER else None
        changes = {"promoted": True}
        if deadline:
            changes.update(status=Booking.Status.OFFERED, offered_at=now, offer_expires_at=deadline)
        else:
            changes.update(status=Booking.Status.CONFIRMED, confirmed_at=now)
        # Guarded by the seats as read too: a waiting booker who changed their seats since
        # (booking_change commits without the session's lock) must not get more than were taken.
        won = Booking.objects.filter(
            pk=booking.pk, status=Booking.Status.WAITLISTED, seats=booking.seats
        ).update(**changes, updated_at=now)
        if not won:  # cancelled or changed meanwhile: give its seats back to the next one
            seats_release(session_ids=session_ids, seats=booking.seats)
            continue
        for name, value in changes.items():
            setattr(booking, name, value)
        notify_booking(booking, "offered" if deadline else "promoted")
        served.append(booking)
        free -= booking.seats
        if free <= 0:
            break
    return served


def _waiting_seats_locked(pk: int) -> int | None:
    """Lock a waiting booking and read its seats; None when it no longer waits."""
    return (
        Booking.objects.select_for_update(of=("self",), no_key=True)
        .filter(pk=pk, status=Booking.Status.WAITLISTED)
        .values_list("seats", flat=True)
        .first()
    )


def waitlist_fill_for(booking: Booking, *, now=None) -> list[Booking]:
    """Fill the queue this booking belongs to (its session, or its series)."""
    if booking.session_id:
        return waitlist_fill(session=Session(pk=booking.session_id, event_id=booking.event_id), now=now)
    return waitlist_fill(event=Event(pk=booking.event_id), now=now)


def waitlist_position(booking: Booking) -> int | None:
    """1 for the head of the queue; None when the booking is not waiting."""
    if booking.status != Booking.Status.WAITLISTED or booking.waitlisted_at is None:
        return None
    key = booking.queue_at or booking.waitlisted_at
    ahead = (
        _queue(session_id=booking.session_id, event_id=booking.event_id)
        .alias(key=queue_key())
        .filter(Q(key__lt=key) | Q(key=key, pk__lt=booking.pk))
        .count()
    )
    return ahead + 1


def offers_expire(*, now=None) -> int:
    """Expire the offers whose claim deadline has passed and serve the queue onwards.
    Each offer in its own short transaction, skipping rows another worker holds."""
    now = now or timezone.now()
    due = list(
        Booking.objects.filter(status=Booking.Status.OFFERED, offer_expires_at__lte=now)
        .order_by("offer_expires_at", "pk")
        .values_list("pk", flat=True)[:EXPIRE_BATCH]
    )
    expired = 0
    for pk in due:
        with transaction.atomic():
            booking = (
                Booking.objects.select_for_update(skip_locked=True, no_key=True)
                .filter(pk=pk, status=Booking.Status.OFFERED, offer_expires_at__lte=now)
                .first()
            )
            if booking is None:
                continue
            seats_release(session_ids=booking_session_ids(booking), seats=booking.seats)
            booking.status = Booking.Status.EXPIRED
            booking.save(update_fields=["status", "updated_at"])
            notify_booking(booking, "offer_expired")
            waitlist_fill_for(booking, now=now)
            expired += 1
    return expired
