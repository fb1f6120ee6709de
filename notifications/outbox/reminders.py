"""Reminders: one row per session, offset and channel, written when a booking is confirmed,
moved when its session is, suppressed when it is cancelled.

Dedupe key "reminder:<booking>:<session>:<offset>:<channel>": at most one reminder per booking,
session and offset, however often a booking is confirmed or its session moved."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from notifications import schedule
from notifications.models import Notification
from notifications.outbox.booker import opted_out_of_sms, suppress_if_opted_out

Channel, Status = Notification.Channel, Notification.Status

# Reasons a reminder was not scheduled that a later move of the session may lift.
RESCHEDULABLE = {schedule.REASON_TOO_LATE, schedule.REASON_QUIET_HOURS, "session_moved"}


def reminder_rows(booking, session, *, link, now, reschedule=False, opted_out=None) -> list[Notification]:
    """Reminder rows for one session; with reschedule, existing unsent ones are moved."""
    if session.status != "scheduled":
        return []
    language = booking.language or "sv"
    channels = []
    has_sms = bool(booking.phone and booking.sms_consent)
    if has_sms:
        channels.append(Channel.SMS)
    if booking.email:
        channels.append(Channel.EMAIL)
    offsets = sorted(settings.REMINDER_OFFSETS, reverse=True)
    if opted_out is None:
        opted_out = opted_out_of_sms(booking)
    new_rows = []
    for channel in channels:
        # An e-mail reminder at every offset only for those without SMS; else the first one.
        channel_offsets = offsets if channel == Channel.SMS or not has_sms else offsets[:1]
        times = schedule.reminder_times(
            start=session.start, offsets=channel_offsets, channel=channel, now=now
        )
        for offset, due in times.items():
            key = f"reminder:{booking.pk}:{session.pk}:{_offset_label(offset)}:{channel}"
            fields = {
                # No text: rendered when it goes out (a moved row written before this change
                # had its text rendered early; clearing it makes it show the new time).
                "subject": "",
                "body": "",
                "link": link,
                "due_at": due.at or schedule.minus_offset(session.start, offset),
                "not_after": session.start,
                "status": Status.PENDING if due.at else Status.SUPPRESSED,
                "status_reason": "" if due.at else due.reason,
            }
            if reschedule:
                movable = Q(status=Status.PENDING) | Q(
                    status=Status.SUPPRESSED, status_reason__in=RESCHEDULABLE
                )
                if Notification.objects.filter(movable, dedupe_key=key).update(**fields, updated_at=now):
                    continue
                if Notification.objects.filter(dedupe_key=key).exists():
                    continue  # already sent: at most once per booking, session and offset
            if due.at is None and due.reason not in (schedule.REASON_QUIET_HOURS, schedule.REASON_TOO_LATE):
                continue  # booked after it was due, or superseded: nothing worth showing staff
            row = Notification(
                channel=channel,
                recipient=booking.phone if channel == Channel.SMS else booking.email,
                template="reminder",
                language=language,
                booking=booking,
                session=session,
                dedupe_key=key,
                **fields,
            )
            if channel == Channel.SMS:
                suppress_if_opted_out(row, opted_out)
            new_rows.append(row)
    return new_rows


def reminders_suppress(*, booking, reason: str) -> None:
    """Suppress the booking's pending reminders (it was cancelled, or its offer expired)."""
    Notification.objects.filter(booking=booking, template="reminder", status=Status.PENDING).update(
        status=Status.SUPPRESSED, status_reason=reason, updated_at=timezone.now()
    )


def _offset_label(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    if minutes % 60:
        return f"{minutes}m"
    return f"{minutes // 60}h"
