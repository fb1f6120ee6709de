"""Anonymising bookings RETENTION_DAYS_AFTER_EVENT days after their event (GDPR storage limit).

When: a booking is due once every session of its event has ended more than
RETENTION_DAYS_AFTER_EVENT days ago. The clock starts at the event's LAST session, so that a
series or a reading circle keeps its bookers' details until the whole event is over. A
cancelled session counts from its scheduled end or its cancellation, whichever is later, and a
cancelled event from its last session or its cancellation, whichever is later: a cancellation
after the fact never shortens the time, and one made long before the date does not either
(the booker may still ask about it until the date has passed). An event with no sessions is
never due. Every booking of a due event counts, whatever its status.

What goes:
- on the booking: name, e-mail, phone and the digests they are looked up by, school, and the
  free-text cancel_reason and staff_reason (they may name people or their health); both token
  digests are replaced by
  "anonymised:m:<id>" / "anonymised:c:<id>", which no SHA-256 hex digest can equal, so the
  manage link, its API address and the booking's calendar feed answer "not found";
- its AccessibilityRequest (needs and note: health data) is deleted;
- its outbox rows (notifications.Notification): pending ones are suppressed with the reason
  "anonymised"; every row that is not being sent loses recipient (and its digest), subject,
  body and link (the link holds the manage token in plain text). A row a worker is sending at
  that moment is scrubbed by the next run, which also sweeps any row of an anonymised booking
  that still holds something;
- the lost-link messages (booking-less outbox rows that list several bookings' links) lose
  the same fields RETENTION_DAYS_AFTER_EVENT days after they were written;
- ConsentEvent rows of the booking keep action, source, time and the link to the booking (the
  record that consent was given or withdrawn for it) but lose the phone number and its digest
  (these three are notifications' rows: retention asks notifications to forget them through
  the messages port, booking.messages.messages_forget and leftover_messages_forget);
- the free-text `reason` of its AuditEvent rows is blanked (who did what, when, from which
  status to which, and the numbers in `data` stay); the admin's LogEntry rows for it get a
  representation without the name.

What stays: seats, companion seats, children, overbooked seats, status and its times, grade
(a school year, not a person once the school and name are gone), language, source, SMS
consent flag, attendance, the staff member who booked: the statistics
(booking.selectors.statistics) count anonymised bookings like any other. OptOut rows (digests of
numbers that said STOP) are not touched: they are not about a booking, and forgetting one would start
SMS to a number that asked us to stop.

How: in batches, each in its own short transaction (the booking rows locked, then everything
of that batch changed), so that it runs over 100,000 bookings without long locks, and can stop
between batches (a time budget for the worker) and go on next time. Running it again changes
nothing.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import CharField, Exists, F, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from booking import messages
from booking.models import AccessibilityRequest, AuditEvent, Booking, Event, Session

BATCH_SIZE = 500
EVENT_CHUNK = 500  # event ids per IN (...) list, well inside SQLite's variable limit
PLACEHOLDER_PREFIX = "anonymised"


@dataclass
class RetentionResult:
    bookings: int = 0
    notifications_scrubbed: int = 0
    finished: bool = True  # False when the time budget ran out with work left


def retention_cutoff(now: datetime | None = None) -> datetime:
    """Events whose last session (or cancellation) ended before this moment are due."""
    return (now or timezone.now()) - timedelta(days=settings.RETENTION_DAYS_AFTER_EVENT)


def _due_events(cutoff: datetime):
    """Events with a session, none of which ended or was cancelled at or after `cutoff`, not
    cancelled themselves at or after it, and with a booking still to anonymise."""
    recent_session = Session.objects.filter(event=OuterRef("pk")).filter(
        Q(end__gte=cutoff) | Q(cancelled_at__gte=cutoff)
    )
    return (
        Event.objects.filter(Exists(Session.objects.filter(event=OuterRef("pk"))))
        .exclude(Exists(recent_session))
        .exclude(cancelled_at__gte=cutoff)
        .filter(Exists(Booking.objects.filter(event=OuterRef("pk"), anonymised_at__isnull=True)))
    )


def _due_event_ids(cutoff: datetime) -> list[int]:
    return list(_due_events(cutoff).order_by("pk").values_list("pk", flat=True))


def bookings_due_count(*, now: datetime | None = None) -> int:
    """How many bookings a run now would anonymise (for `anonymise_bookings --dry-run`)."""
    ids = _due_event_ids(retention_cutoff(now))
    return sum(
        Booking.objects.filter(event_id__in=ids[i : i + EVENT_CHUNK], anonymised_at__isnull=True).count()
        for i in range(0, len(ids), EVENT_CHUNK)
    )


def _token_placeholder(kind: str):
    """A per-row value for a token digest field that no SHA-256 hex digest can equal (it has
    colons) and that stays unique (it has the booking's id)."""
    return Concat(
        Value(f"{PLACEHOLDER_PREFIX}:{kind}:"), Cast(F("pk"), CharField()), output_field=CharField()
    )


def _anonymise_batch(candidate_ids: list[int], *, now: datetime) -> tuple[int, int]:
    """Anonymise these bookings (those not done yet) in one transaction. Returns (bookings,
    notification rows scrubbed)."""
    with transaction.atomic():
        ids = list(
            Booking.objects.select_for_update()
            .filter(pk__in=candidate_ids, anonymised_at__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not ids:
            return 0, 0
        Booking.objects.filter(pk__in=ids).update(
            name="",
            email="",
            phone="",
            email_digest="",
            phone_digest="",
            school="",
            cancel_reason="",
            staff_reason="",
            manage_token_hash=_token_placeholder("m"),
            calendar_token_hash=_token_placeholder("c"),
            anonymised_at=now,
            updated_at=now,
        )
        AccessibilityRequest.objects.filter(booking_id__in=ids).delete()
        scrubbed = messages.messages_forget(booking_ids=ids)
        text_ids = [str(pk) for pk in ids]
        AuditEvent.objects.filter(object_type="booking", object_id__in=text_ids).exclude(reason="").update(
            reason=""
        )
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Booking), object_id__in=text_ids
        ).update(object_repr=Concat(Value("#"), F("object_id"), output_field=CharField()))
    return len(ids), scrubbed


def bookings_anonymise(
    *,
    now: datetime | None = None,
    batch_size: int = BATCH_SIZE,
    budget_seconds: float | None = None,
    progress: Callable[[int], None] | None = None,
) -> RetentionResult:
    """Anonymise every booking that is due (see the module's docstring), batch by batch.

    `budget_seconds`: stop between batches once this much time has gone (the queue worker
    kills a task after Q_CLUSTER's timeout); the rest is done by the next run. `progress` is
    called with the running total after each batch."""
    now = now or timezone.now()
    started = time.monotonic()

    def out_of_time() -> bool:
        return budget_seconds is not None and time.monotonic() - started >= budget_seconds

    result = RetentionResult()
    event_ids = _due_event_ids(retention_cutoff(now))
    for start in range(0, len(event_ids), EVENT_CHUNK):
        chunk = event_ids[start : start + EVENT_CHUNK]
        last = 0
        while True:
            if out_of_time():
                result.finished = False
                return result
            candidates = list(
                Booking.objects.filter(event_id__in=chunk, anonymised_at__isnull=True, pk__gt=last)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not candidates:
                break
            last = candidates[-1]
            done, scrubbed = _anonymise_batch(candidates, now=now)
            result.bookings += done
            result.notifications_scrubbed += scrubbed
            if progress and done:
                progress(result.bookings)
    scrubbed, result.finished = messages.leftover_messages_forget(
        written_before=retention_cutoff(now), batch_size=batch_size * 4, out_of_time=out_of_time
    )
    result.notifications_scrubbed += scrubbed
    return result


def bookings_anonymise_due(now: datetime | None = None) -> int:
    """Anonymise every due booking, however long it takes. Returns how many were anonymised."""
    return bookings_anonymise(now=now).bookings


def booking_anonymise_now(*, booking_id: int, now: datetime | None = None) -> bool:
    """Anonymise one booking at once, exactly as it would be when it falls due: its booker asked
    for it to be erased (booking.services.booker_data.booking_erase). False if it already was."""
    done, _scrubbed = _anonymise_batch([booking_id], now=now or timezone.now())
    return done == 1
