"""What every message to a booker shares: its rows (one per channel, written without text), the
opt-out and the manage link, and the sessions a booking is about."""

from datetime import datetime

from django.conf import settings

from booking.selectors.session_bookings import session_bookings
from notifications import schedule
from notifications.models import Notification, OptOut

Channel, Status = Notification.Channel, Notification.Status

BOOKING_KINDS = (
    "confirmed",
    "waitlisted",
    "offered",
    "offer_expired",
    "cancelled",
    "seats_changed",
    "promoted",
    "moved",  # to another session of the event (booking.services.booking_move)
)
ONCE_PER_BOOKING = {"confirmed", "waitlisted", "offer_expired", "cancelled", "promoted"}
LIVE_STATUSES = ("confirmed", "offered", "waitlisted")
# Messages to the booker, rendered at dispatch from the booking as it is then (compose()).
BOOKER_TEMPLATES = {
    *BOOKING_KINDS,
    "reminder",
    "session_moved",
    "session_cancelled",
    "event_cancelled",
    "need_answered",  # notifications.needs
}


def booker_rows(booking, name, *, key, session, link, now, not_after, opted_out=None) -> list[Notification]:
    """The booker's rows, one per channel, without their text (compose() renders it at dispatch)."""
    rows = []
    language = booking.language or "sv"
    common = {
        "template": name,
        "language": language,
        "link": link,
        "booking": booking,
        "session": session,
        "not_after": not_after,
    }
    if booking.email:
        rows.append(
            Notification(
                channel=Channel.EMAIL,
                recipient=booking.email,
                due_at=now,
                dedupe_key=f"{key}:email",
                **common,
            )
        )
    if booking.phone and booking.sms_consent:
        row = Notification(
            channel=Channel.SMS,
            recipient=booking.phone,
            due_at=schedule.quiet_hours_end(now),
            dedupe_key=f"{key}:sms",
            **common,
        )
        if not_after is not None and row.due_at >= not_after:
            row.status, row.status_reason = Status.SUPPRESSED, schedule.REASON_QUIET_HOURS
        suppress_if_opted_out(row, opted_out_of_sms(booking) if opted_out is None else opted_out)
        rows.append(row)
    return rows


def opted_out_of_sms(booking) -> bool:
    """Has the booker's number said STOP? (No lookup when no SMS would go to it.)"""
    if not (booking.phone and booking.sms_consent):
        return False
    return OptOut.objects.for_contact(booking.phone).exists()


def suppress_if_opted_out(row: Notification, opted_out: bool) -> None:
    if row.status == Status.PENDING and opted_out:
        row.status, row.status_reason = Status.SUPPRESSED, "opted_out"


def manage_url(token: str | None) -> str:
    return f"{settings.PUBLIC_BASE_URL}/b/{token}" if token else ""


def stored_link(booking) -> str:
    """The booker's manage link as last written to them (tokens are kept only as digests)."""
    return (
        Notification.objects.filter(booking=booking)
        .exclude(link="")
        .order_by("-id")
        .values_list("link", flat=True)
        .first()
        or ""
    )


def session_bookers(session):
    """The live bookings of a session: its own and those of the whole series."""
    return (
        session_bookings(session)
        .filter(status__in=LIVE_STATUSES)
        .select_related("event__library", "session")
        .order_by("pk")
    )


def upcoming_sessions(booking, now: datetime, *, every: list | None = None) -> list:
    """`every`: all the event's sessions as the caller read them (a series; no query then)."""
    if booking.session_id:
        return [booking.session] if booking.session.status == "scheduled" else []
    if every is not None:
        return sorted((s for s in every if s.status == "scheduled" and s.start > now), key=lambda s: s.start)
    return list(booking.event.sessions.filter(status="scheduled", start__gt=now).order_by("start"))


def first_session(booking, *, every: list | None = None):
    if booking.session_id:
        return booking.session
    if every is not None:
        return min(every, key=lambda s: s.start, default=None)
    return booking.event.sessions.order_by("start").first()


def last_end(booking, shown, *, every: list | None = None):
    if booking.session_id:
        return booking.session.end
    if every is not None:
        last = max(every, key=lambda s: s.end, default=None)
    else:
        last = booking.event.sessions.order_by("-end").first()
    return last.end if last else (shown.end if shown else None)
