"""What notifications forget when the booking engine anonymises bookings (booking.services.
retention asks through booking.messages: `messages_forget`, `leftover_messages_forget`).

- a booking's outbox rows: pending ones are suppressed with the reason "anonymised"; every row
  that is not being sent loses recipient (and its digest), subject, body and link (the link
  holds the manage token in plain text). A row a worker is sending at that moment is scrubbed
  by the next run's sweep;
- its ConsentEvent rows keep action, source, time and the booking, and lose the number and its
  digest;
- the sweep: rows of anonymised bookings that still hold something, and the booking-less
  lost-link messages written before the retention time.
"""

from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.db.models import Q

from notifications.models import ConsentEvent, Notification

REASON = "anonymised"
Status = Notification.Status


def messages_forget(*, booking_ids: list[int]) -> int:
    """Forget what the messages and consents of these bookings hold about their bookers, in the
    caller's transaction. Returns the number of outbox rows scrubbed."""
    Notification.objects.filter(booking_id__in=booking_ids, status=Status.PENDING).update(
        status=Status.SUPPRESSED, status_reason=REASON
    )
    scrubbed = _scrub(Notification.objects.filter(booking_id__in=booking_ids))
    ConsentEvent.objects.filter(booking_id__in=booking_ids).exclude(phone="").update(
        phone="", phone_digest=""
    )
    return scrubbed


def leftover_messages_forget(
    *, written_before: datetime, batch_size: int, out_of_time: Callable[[], bool]
) -> tuple[int, bool]:
    """Outbox rows left holding personal data: those of anonymised bookings that were being
    sent or still pending at the time, and booking-less lost-link messages written before
    `written_before`. In batches, each in its own transaction, stopping when `out_of_time()`.
    Returns (rows scrubbed, finished)."""
    total = 0
    with transaction.atomic():
        Notification.objects.filter(booking__anonymised_at__isnull=False, status=Status.PENDING).update(
            status=Status.SUPPRESSED, status_reason=REASON
        )
    leftovers = (
        Notification.objects.filter(
            Q(booking__anonymised_at__isnull=False)
            | Q(booking__isnull=True, visit_request__isnull=True, created_at__lt=written_before)
        )
        .exclude(status__in=[Status.PENDING, Status.SENDING])
        .filter(_holds_content())
    )
    last = 0
    while True:
        if out_of_time():
            return total, False
        ids = list(leftovers.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            return total, True
        last = ids[-1]
        with transaction.atomic():
            total += _scrub(Notification.objects.filter(pk__in=ids))


def _holds_content() -> Q:
    return ~Q(recipient="") | ~Q(subject="") | ~Q(body="") | ~Q(link="")


def _scrub(rows) -> int:
    """Blank what identifies the person in these outbox rows, except pending ones (which the
    caller suppressed first) and one a worker is sending right now (the next run gets it)."""
    return (
        rows.exclude(status__in=[Status.PENDING, Status.SENDING])
        .filter(_holds_content())
        .update(recipient="", recipient_digest="", subject="", body="", link="")
    )
