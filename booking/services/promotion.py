"""Staff give a waiting booking a seat, following the queue (waitlist_promote).

THE RULE. Promoting the first in the queue into a session with room for its seats needs no
word. Promoting past those ahead in the queue, or into a session without room (which
overbooks it), needs a reason: without one, a 400 at /reason that says who is ahead and how
full the session is, so that the page can ask why. With a reason, it is kept on the booking
(staff_reason) and in the audit entry. An offered booking already holds its seats and is not
in the queue: it is confirmed as booking_promote does.

LOCKS. The booking first (NOWAIT: a booking someone is changing right now answers 409
waitlist_busy), then its sessions' rows, the order booking_promote itself takes them; the
queue and the seats are read under those locks, so that nobody is served ahead meanwhile.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from booking import access
from booking.errors import InvalidInput, InvalidTransition, PermissionDenied
from booking.models import AuditEvent, Booking, Session
from booking.services.bookings import booking_promote
from booking.services.seats import booking_session_ids
from booking.services.waitlist import _queue, queue_order
from booking.services.waitlist_locks import busy_as_conflict as _busy_as_conflict
from booking.validation import text_clean


@dataclass
class PromoteCheck:
    """What promoting this booking now would do: the bookings ahead of it in the queue, and
    the seats free in its (fullest) session against the seats it needs."""

    ahead: list[Booking]
    free: int
    capacity: int
    taken: int
    seats: int

    @property
    def full(self) -> bool:
        return self.seats > self.free

    def errors(self) -> list[dict]:
        """The pointer errors a promote without a reason gets: one per thing that needs a why."""
        items = []
        if self.ahead:
            names = ", ".join(
                _("nr %(position)s %(name)s") % {"position": place, "name": booking.name or booking.pk}
                for place, booking in enumerate(self.ahead[:5], start=1)
            )
            items.append(
                {
                    "pointer": "/reason",
                    "code": "queue_ahead",
                    "detail": ngettext(
                        "%(count)s bokning står före i kön (%(names)s). Ange varför den här går före.",
                        "%(count)s bokningar står före i kön (%(names)s). Ange varför den här går före.",
                        len(self.ahead),
                    )
                    % {"count": len(self.ahead), "names": names},
                }
            )
        if self.full:
            items.append(
                {
                    "pointer": "/reason",
                    "code": "session_full",
                    "detail": _(
                        "Tillfället har %(taken)s av %(capacity)s platser bokade; bokningen gäller "
                        "%(seats)s. Ange varför kapaciteten får överskridas."
                    )
                    % {"taken": self.taken, "capacity": self.capacity, "seats": self.seats},
                }
            )
        return items


def promote_check(booking: Booking) -> PromoteCheck:
    """Read, for a waiting booking, who is ahead of it and how much room there is. The caller
    holds the locks when it acts on the answer (waitlist_promote); the page may ask it to warn."""
    session_ids = booking_session_ids(booking)
    rows = list(Session.objects.filter(pk__in=session_ids).only("pk", "capacity", "seats_taken"))
    tightest = min(rows, key=lambda row: row.capacity - row.seats_taken, default=None)
    ahead: list[Booking] = []
    if booking.status == Booking.Status.WAITLISTED:
        for other in _queue(session_id=booking.session_id, event_id=booking.event_id).order_by(
            *queue_order()
        ):
            if other.pk == booking.pk:
                break
            ahead.append(other)
    free = tightest.capacity - tightest.seats_taken if tightest else 0
    return PromoteCheck(
        ahead=ahead,
        free=max(0, free),
        capacity=tightest.capacity if tightest else 0,
        taken=tightest.seats_taken if tightest else 0,
        seats=booking.seats,
    )


def waitlist_promote(*, booking: Booking, actor, reason: str = "") -> Booking:
    """Staff give a waiting (or offered) booking a seat, under THE RULE above."""
    reason = text_clean(reason, pointer="/reason", max_length=1000, multiline=True)
    current = Booking.objects.select_related("event").get(pk=booking.pk)
    if not access.can_manage_event(actor, current.event):
        raise PermissionDenied()
    with _busy_as_conflict(), transaction.atomic():
        current = (
            Booking.objects.select_for_update(of=("self",), no_key=True, nowait=True)
            .select_related("event")
            .get(pk=booking.pk)
        )
        if current.status not in (Booking.Status.WAITLISTED, Booking.Status.OFFERED):
            raise InvalidTransition()
        check = None
        if current.status == Booking.Status.WAITLISTED:
            ids = booking_session_ids(current)
            list(
                Session.objects.filter(pk__in=ids).select_for_update(of=("self",), no_key=True).order_by("pk")
            )
            check = promote_check(current)
            if not reason and (check.ahead or check.full):
                raise InvalidInput(errors=check.errors())
        promoted = booking_promote(booking=current, actor=actor, reason=reason)
        if reason and promoted.staff_reason != reason:
            promoted.staff_reason = reason
            promoted.save(update_fields=["staff_reason", "updated_at"])
        if check is not None and (check.ahead or check.full):
            entry = (
                AuditEvent.objects.filter(action="booking_promote", object_id=str(promoted.pk))
                .order_by("-pk")
                .first()
            )
            if entry is not None:  # written just now by booking_promote, in this transaction
                entry.data = {
                    **entry.data,
                    "passed": [other.pk for other in check.ahead],
                    "over_capacity": check.full,
                }
                entry.save(update_fields=["data"])
    return promoted
