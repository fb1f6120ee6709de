"""Reads for staff: messages that did not go out, with their reasons."""

from django.db.models import Q, QuerySet

from booking import access
from notifications.dispatch import RECONCILE
from notifications.models import Notification

Status = Notification.Status
# Reasons that are the schedule working as meant, not a problem for staff.
ROUTINE = (
    "booking_cancelled",
    "booking_offer_expired",
    "session_cancelled",
    "event_cancelled",
    "anonymised",  # still pending when its booking was anonymised (booking.services.retention)
)


def failed_messages_for(user, *, limit: int = 100) -> QuerySet:
    """Failed, undelivered and suppressed messages (and sends waiting for reconciliation) about
    the bookings and visit requests of the libraries this user manages (all for organisers)."""
    problems = (
        Q(status__in=[Status.FAILED, Status.UNDELIVERED])
        | Q(status=Status.SUPPRESSED) & ~Q(status_reason__in=ROUTINE)
        | Q(status=Status.SENDING, status_reason__startswith=RECONCILE)
    )
    messages = Notification.objects.filter(problems)
    if not access.is_organiser(user):
        libraries = access.staff_library_ids(user)
        messages = messages.filter(
            Q(booking__event__library_id__in=libraries) | Q(visit_request__library_id__in=libraries)
        )
    return messages.select_related("booking__event", "session").order_by("-updated_at")[:limit]
