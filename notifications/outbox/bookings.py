"""A booking's own messages: to its booker (confirmed, waitlisted, offered, ...), with their
reminders, and to library staff about needs that take preparation.

Dedupe key "booking:<id>:<kind>:<channel>": a message sent once per booking is written once,
however often it is asked for."""

import uuid

from django.conf import settings
from django.utils import timezone

from booking.models import AccessibilityRequest, Event, Session
from notifications import recipients, render
from notifications.models import ConsentEvent, Notification
from notifications.outbox.booker import (
    BOOKING_KINDS,
    ONCE_PER_BOOKING,
    booker_rows,
    first_session,
    last_end,
    manage_url,
    stored_link,
    upcoming_sessions,
)
from notifications.outbox.reminders import reminder_rows, reminders_suppress
from notifications.outbox.rows import consent_record, rows_insert, sms_state, staff_email_rows

Channel = Notification.Channel


def notify_booking(
    booking,
    kind: str,
    *,
    session=None,
    manage_token: str | None = None,
    now=None,
    created: bool = False,
    sessions: list | None = None,
    prepared_needs: list[str] | None = None,
) -> None:
    """Write the booking's message of this kind (see the package's docstring for the arguments)."""
    if kind not in BOOKING_KINDS:
        raise ValueError(f"unknown booking message {kind!r}")
    now = now or timezone.now()
    link = manage_url(manage_token) or stored_link(booking)
    every = None if booking.session_id else sessions  # a series' sessions as the caller read them
    sessions = upcoming_sessions(booking, now, every=every)
    shown = session or (sessions[0] if sessions else first_session(booking, every=every))
    rows: list[Notification] = []

    if kind == "moved":  # the old session's reminders stop; the new one's are written below
        reminders_suppress(booking=booking, reason="session_moved")
    if kind in ("cancelled", "offer_expired"):
        reminders_suppress(booking=booking, reason=f"booking_{kind}")
        if kind == "cancelled" and _cancelled_with_session(booking, shown):
            return  # the session's or event's own cancellation message tells them
    record_consent = kind in ("confirmed", "waitlisted", "offered", "promoted")
    if record_consent and created and booking.phone and booking.sms_consent:
        # A booking written in this transaction has no consent on record: record it, and
        # learn whether the number has said STOP, in one statement.
        opted_out = consent_record(booking)
    else:
        # One query for both: has the number said STOP, and is its consent on record?
        opted_out, consented = sms_state(booking, consent=record_consent)
        if record_consent and not consented:
            ConsentEvent.objects.create(
                phone=booking.phone, action=ConsentEvent.Action.OPT_IN, source="booking", booking=booking
            )

    key = f"booking:{booking.pk}:{kind}"
    if kind == "offered":
        key += f":{int(booking.offer_expires_at.timestamp())}" if booking.offer_expires_at else ""
    elif kind not in ONCE_PER_BOOKING:
        key += f":{uuid.uuid4().hex[:12]}"
    elif session is not None:
        key += f":s{session.pk}"
    not_after = booking.offer_expires_at if kind == "offered" else last_end(booking, shown, every=every)
    rows += booker_rows(
        booking, kind, key=key, session=shown, link=link, now=now, not_after=not_after, opted_out=opted_out
    )

    if kind in ("confirmed", "promoted") or (kind == "moved" and booking.status == "confirmed"):
        for each in sessions:
            moved = kind == "moved"  # back to a session it left: its reminders come back
            rows += reminder_rows(booking, each, link=link, now=now, opted_out=opted_out, reschedule=moved)
        rows += _staff_needs(booking, shown, now=now, prepared=prepared_needs)
    rows_insert(rows)


def _staff_needs(booking, session, *, now, prepared: list[str] | None = None) -> list[Notification]:
    """Library staff hear of needs that take preparation (interpreters are booked weeks ahead).
    `prepared`: the names of those needs when the caller knows them (booking_create)."""
    try:
        # booking_create leaves the request (or None) in the relation's cache: no query then.
        request = booking.accessibility
    except AccessibilityRequest.DoesNotExist:
        return []
    if prepared is None:
        prepared = [need.name_sv for need in request.needs.filter(prepared_by_staff=True)]
    if not prepared:
        return []
    library_name, emails = recipients.library_name_and_emails(booking.event.library_id)
    context = {
        "event": booking.event.title,
        "library": library_name,
        "when": render.local_when(session.start if session else None, "sv"),
        "booking": booking,
        "needs": prepared,
        "note": request.note,
        "staff_url": f"{settings.PUBLIC_BASE_URL}/personal/",
    }
    subject, body = render.render_email("staff_needs", context, "sv")
    return staff_email_rows(
        booking=booking,
        session=session,
        template="staff_needs",
        subject=subject,
        body=body,
        emails=emails,
        key=f"staff_needs:{booking.pk}",
        now=now,
    )


def _cancelled_with_session(booking, session) -> bool:
    """Was the booking cancelled because its session or event was? (Read fresh: the caller's
    objects may predate the cancellation.)"""
    if Event.objects.filter(pk=booking.event_id, status="cancelled").exists():
        return True
    return (
        bool(booking.session_id)
        and Session.objects.filter(pk=booking.session_id, status="cancelled").exists()
    )
