"""What notifications offer the booking engine through booking/messages.py (connected in
notifications.apps): the messages a change causes, what is held about a booker, and forgetting
it when bookings are anonymised."""

from notifications import forget, needs, outbox
from notifications.models import ConsentEvent, Notification


def notify_booking(booking, kind: str, **context) -> None:
    outbox.notify_booking(booking, kind, **context)


def notify_session_moved(session) -> None:
    outbox.notify_session_moved(session)


def notify_session_cancelled(session) -> None:
    outbox.notify_session_cancelled(session)


def notify_event_cancelled(event) -> None:
    outbox.notify_event_cancelled(event)


def notify_visit_request(visit_request, transition: str, *, actor=None) -> None:
    outbox.notify_visit_request(visit_request, transition, actor=actor)


def notify_needs(booking, kind: str, **context) -> None:
    needs.notify_needs(booking, kind, **context)


def messages_held_about(booking) -> list[dict]:
    """The messages of one booking, without their text: template, channel, status and times."""
    rows = Notification.objects.filter(booking=booking).order_by("created_at", "pk")
    return [
        {
            "template": row.template,
            "channel": row.channel,
            "status": row.status,
            "created_at": row.created_at,
            "due_at": row.due_at,
            "sent_at": row.sent_at,
        }
        for row in rows
    ]


def consents_held_about(booking) -> list[dict]:
    rows = ConsentEvent.objects.filter(booking=booking).order_by("created_at", "pk")
    return [{"action": row.action, "source": row.source, "at": row.created_at} for row in rows]


messages_forget = forget.messages_forget
leftover_messages_forget = forget.leftover_messages_forget
