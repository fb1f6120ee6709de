"""The booker's own data (GDPR articles 15 and 17), reached by the manage token alone.

`booking_data` says what we hold about one booking: its contact, seats, needs and note,
language, consents, its history from the audit trail, its attendance and the messages we sent
about it (template, channel, times, status; not their bodies, which hold the manage link). It
holds nothing of other people: the staff who acted are named by role ("staff", "system"), not
by account, and lost-link messages, which list several bookings, are not included.

`booking_erase` deletes the booking's personal data now rather than when retention would: an
active booking of a session still to come is cancelled first through booking_cancel (its seats
freed and the waitlist filled, as any cancel), then the booking is anonymised by the very
function retention uses (booking.services.retention), and an audit entry without personal data
records that it happened. What stays is what statistics count: seats, children, status, times.

Both read the booking through model attributes only, so that they keep working whatever the
fields are stored as (encrypted at rest).
"""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from booking import messages
from booking.models import AccessibilityRequest, AuditEvent, Booking
from booking.services.audit import audit_record
from booking.services.bookings import booking_cancel
from booking.services.retention import booking_anonymise_now

ACTIVE = (Booking.Status.CONFIRMED, Booking.Status.WAITLISTED, Booking.Status.OFFERED)


def _sessions(booking: Booking):
    if booking.session_id:
        return [booking.session]
    return list(booking.event.sessions.order_by("start"))


def _accessibility(booking: Booking) -> dict | None:
    request = AccessibilityRequest.objects.filter(booking=booking).prefetch_related("needs").first()
    if request is None:
        return None
    return {
        "needs": [{"code": need.code, "label": need.name} for need in request.needs.all()],
        "note": request.note,
        "consent_at": request.consent_at,
    }


def _by(entry: AuditEvent) -> str:
    """Who acted, by role: a staff member's account is their data, not the booker's."""
    if entry.actor_id or entry.actor_label not in ("", "system", "booker"):
        return "staff"
    return entry.actor_label or "system"


def _history(booking: Booking) -> list[dict]:
    entries = AuditEvent.objects.filter(object_type="booking", object_id=str(booking.pk)).order_by(
        "created_at", "pk"
    )
    return [
        {
            "at": entry.created_at,
            "action": entry.action,
            "by": _by(entry),
            "from_status": entry.from_status,
            "to_status": entry.to_status,
            "reason": entry.reason,
        }
        for entry in entries
    ]


def booking_data(*, booking: Booking, now: datetime | None = None) -> dict:
    """Everything held about this booking, for its booker (see the module's docstring)."""
    booking = Booking.objects.select_related("event__library", "session").get(pk=booking.pk)
    accessibility = _accessibility(booking)
    event = booking.event
    return {
        "generated_at": now or timezone.now(),
        "booking": {
            "id": booking.pk,
            "status": booking.status,
            "event": {
                "id": event.pk,
                "title": event.title,
                "library": event.library.name,
                "url": settings.PUBLIC_BASE_URL + event.get_absolute_url(),
            },
            "sessions": [
                {"id": s.pk, "start": s.start, "end": s.end, "status": s.status} for s in _sessions(booking)
            ],
            "seats": booking.seats,
            "companion_seats": booking.companion_seats,
            "children": booking.children,
            "school": booking.school,
            "grade": booking.grade,
            "language": booking.language,
            "source": booking.source,
            "promoted": booking.promoted,
            "created_at": booking.created_at,
            "waitlisted_at": booking.waitlisted_at,
            "offered_at": booking.offered_at,
            "offer_expires_at": booking.offer_expires_at,
            "confirmed_at": booking.confirmed_at,
            "cancelled_at": booking.cancelled_at,
            "cancelled_by": booking.cancelled_by,
            "cancel_reason": booking.cancel_reason,
            "staff_reason": booking.staff_reason,
        },
        "contact": {"name": booking.name, "email": booking.email, "phone": booking.phone},
        "accessibility": accessibility,
        "consents": {
            "sms_consent": booking.sms_consent,
            "sms_consent_at": booking.sms_consent_at,
            "accessibility_consent_at": accessibility["consent_at"] if accessibility else None,
            "events": messages.consents_held_about(booking),
        },
        "attendance": [
            {"session": a.session_id, "status": a.status} for a in booking.attendances.order_by("session_id")
        ],
        "history": _history(booking),
        "messages": messages.messages_held_about(booking),
    }


def booking_erase(*, booking: Booking, now: datetime | None = None) -> Booking:
    """Cancel (if still to come) and anonymise this booking now, in one transaction."""
    now = now or timezone.now()
    with transaction.atomic():
        current = Booking.objects.select_for_update(of=("self",)).get(pk=booking.pk)
        before = current.status
        cancelled = False
        upcoming = any(s.start > now for s in _sessions(current))
        if current.status in ACTIVE and upcoming:
            booking_cancel(booking=current, by=Booking.CancelledBy.BOOKER)
            cancelled = True
        booking_anonymise_now(booking_id=current.pk, now=now)
        current.refresh_from_db()
        audit_record(
            actor=None,
            action="booking_erase",
            object_type="booking",
            object_id=current.pk,
            from_status=before,
            to_status=current.status,
            data={"cancelled": cancelled},
            nobody="booker",
        )
    return current
