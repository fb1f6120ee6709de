"""Messages to every booker of a session or event: it moved, it was cancelled, or staff wrote
to them in their own words."""

from django.utils import timezone

from booking.models import Booking
from notifications.models import Notification, OptOut, recipient_digest_of
from notifications.outbox.booker import (
    LIVE_STATUSES,
    booker_rows,
    first_session,
    last_end,
    session_bookers,
    stored_link,
)
from notifications.outbox.reminders import reminder_rows
from notifications.outbox.rows import rows_insert

Channel, Status = Notification.Channel, Notification.Status


def notify_session_moved(session, *, now=None) -> None:
    """Tell the session's bookers; move their reminders."""
    now = now or timezone.now()
    rows: list[Notification] = []
    for booking in session_bookers(session):
        link = stored_link(booking)
        key = f"moved:{booking.pk}:{session.pk}:{int(session.start.timestamp())}:{session.room_id}"
        rows += booker_rows(
            booking,
            "session_moved",
            key=key,
            session=session,
            link=link,
            now=now,
            not_after=session.end,
        )
        if booking.status == "confirmed":
            rows += reminder_rows(booking, session, link=link, now=now, reschedule=True)
    rows_insert(rows)


def notify_session_cancelled(session, *, now=None) -> None:
    """Tell the session's bookers; suppress their reminders."""
    now = now or timezone.now()
    rows: list[Notification] = []
    for booking in session_bookers(session):
        link = stored_link(booking)
        key = f"session_cancelled:{booking.pk}:{session.pk}"
        rows += booker_rows(
            booking,
            "session_cancelled",
            key=key,
            session=session,
            link=link,
            now=now,
            not_after=session.end,
        )
    Notification.objects.filter(session=session, template="reminder", status=Status.PENDING).update(
        status=Status.SUPPRESSED, status_reason="session_cancelled", updated_at=now
    )
    rows_insert(rows)


def notify_event_cancelled(event, *, now=None) -> None:
    """The same for every session of the event."""
    now = now or timezone.now()
    rows: list[Notification] = []
    bookings = Booking.objects.filter(event=event, status__in=LIVE_STATUSES).select_related(
        "event__library", "session"
    )
    for booking in bookings:
        link = stored_link(booking)
        shown = booking.session or first_session(booking)
        rows += booker_rows(
            booking,
            "event_cancelled",
            key=f"event_cancelled:{booking.pk}",
            session=shown,
            link=link,
            now=now,
            not_after=last_end(booking, shown),
        )
    Notification.objects.filter(booking__event=event, template="reminder", status=Status.PENDING).update(
        status=Status.SUPPRESSED, status_reason="event_cancelled", updated_at=now
    )
    rows_insert(rows)


def notify_staff_message(
    *, session, bookings, batch: str, subject: str, body: str, sms_body: str, now=None
) -> int:
    """Staff's own words to the bookers of a session, under the rules of every booker's
    message (channels, consent, opt-out, quiet hours); no SMS when `sms_body` is empty.
    Returns the number of rows written."""
    now = now or timezone.now()
    opted_out = set(
        OptOut.objects.filter(
            phone_digest__in=[recipient_digest_of(b.phone) for b in bookings if b.phone]
        ).values_list("phone_digest", flat=True)
    )
    rows: list[Notification] = []
    for booking in bookings:
        for row in booker_rows(
            booking,
            "staff_message",
            key=f"staff_message:{session.pk}:{batch}:{booking.pk}",
            session=session,
            link="",
            now=now,
            not_after=session.end,
            opted_out=bool(booking.phone) and recipient_digest_of(booking.phone) in opted_out,
        ):
            if row.channel == Channel.SMS:
                if not sms_body:
                    continue
                row.body = sms_body
            else:
                row.subject, row.body = subject[:200], body
            rows.append(row)
    rows_insert(rows)
    return len(rows)
