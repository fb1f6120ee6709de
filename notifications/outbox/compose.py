"""A booker's message rendered just before it is sent (notifications.dispatch), from its
booking and session as they are then: so a reminder shows the session's time when it goes out,
and a booking's transaction only inserts rows."""

from django.conf import settings
from django.utils import timezone

from booking.selectors.texts import event_title
from booking.services.waitlist import waitlist_position
from notifications import render
from notifications.booker_extras import booker_extras
from notifications.models import Notification
from notifications.outbox.booker import BOOKER_TEMPLATES, BOOKING_KINDS, first_session, upcoming_sessions


def compose(notification: Notification, *, now=None) -> tuple[str, str]:
    """(subject, body) of a message. A booker's message (BOOKER_TEMPLATES) written without text
    is rendered now, from its booking and session as they are; any other keeps its own text."""
    if notification.body or notification.template not in BOOKER_TEMPLATES or not notification.booking_id:
        return notification.subject, notification.body
    booking = notification.booking
    kind = notification.template
    session = notification.session or first_session(booking)
    sessions = None
    if kind in BOOKING_KINDS and not booking.session_id:
        sessions = upcoming_sessions(booking, now or timezone.now())
    language = notification.language or "sv"
    context = _booking_context(booking, session, notification.link, sessions=sessions, language=language)
    if kind == "session_cancelled" and session is not None:
        context["reason"] = session.cancel_reason
    elif kind == "event_cancelled":
        context["reason"] = booking.event.cancel_reason
    if notification.channel == Notification.Channel.SMS:
        return "", render.render_sms(kind, context, language)
    context.update(booker_extras(booking, language))  # needs and the meeting link: e-mail only
    return render.render_email(kind, {**context, "event": context["event_full"]}, language)


def _booking_context(booking, session, link: str, *, sessions=None, language=None) -> dict:
    language = language or booking.language or "sv"
    event = booking.event
    room = (session.room if session else None) or event.room
    context = {
        "booking": booking,
        "name": booking.name,
        "event": render.sms_title(event, language),
        "event_full": event_title(event, language),
        "library": event.library.name,
        "room": room.name if room else "",
        "when": render.local_when(session.start if session else None, language),
        "ends": render.local_time(session.end if session else None, language),
        "seats": booking.seats,
        "series": not booking.session_id,
        "more_sessions": max(0, len(sessions) - 1) if sessions else 0,
        "manage_url": link,
        "claim_url": f"{link}/claim/" if link else "",
        "deadline": render.local_when(booking.offer_expires_at, language),
        "position": _waitlist_position(booking),
        "event_url": f"{settings.PUBLIC_BASE_URL}{event.get_absolute_url()}",
        "reason": "",
    }
    return context


def _waitlist_position(booking):
    if booking.status != "waitlisted":
        return None
    return waitlist_position(booking)
