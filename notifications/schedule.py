"""When a message may go out: reminder due times and SMS quiet hours. Pure functions.

Quiet hours (settings.SMS_QUIET_HOURS, local Europe/Stockholm, e.g. 21:00-08:00) hold for every
SMS. A reminder that would fall in them goes out at the end of the previous allowed window
instead (earlier, never at night). Where that moment has already passed — a 09:00 session
booked at 22:00 — it goes at the end of the quiet hours (08:00) if that is still before the
session starts, and is suppressed otherwise. Nothing goes out after the session has started.

Arithmetic is done on local wall-clock time where people think in wall-clock time: a "24h"
reminder for Monday 18:00 is due Sunday 18:00 even across a DST change (whole-day offsets),
and the quiet window is 21:00-08:00 local on every night of the year.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from booking.services.quiet_hours import (
    in_quiet_hours,
    quiet_hours_end,
    quiet_hours_start_before,
    quiet_window,
)

REASON_TOO_LATE = "too_late"  # the session had started, or the message is past its not_after
REASON_QUIET_HOURS = "quiet_hours"  # only night was left before the session
REASON_BOOKED_AFTER_DUE = "booked_after_due"  # the reminder's moment had passed at booking time
REASON_SUPERSEDED = "superseded"  # a shorter reminder goes out at the same moment or earlier


@dataclass(frozen=True)
class Due:
    """A reminder's send time, or None with the reason it will not be sent."""

    at: datetime | None
    reason: str = ""


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def minus_offset(start: datetime, offset: timedelta) -> datetime:
    """`offset` before `start`: whole days on the local wall clock, the rest in absolute time."""
    if offset % timedelta(days=1) == timedelta(0):
        tz = _tz()
        local = start.astimezone(tz).replace(tzinfo=None) - offset
        return local.replace(tzinfo=tz).astimezone(UTC)
    return start - offset


def sms_send_time(wanted: datetime, *, start: datetime, now: datetime | None = None, quiet=...) -> Due:
    """When an SMS reminder wanted at `wanted` for a session starting at `start` goes out."""
    now = now or timezone.now()
    quiet = quiet_window(quiet)
    if wanted >= start or now >= start:
        return Due(None, REASON_TOO_LATE)
    at = wanted
    if in_quiet_hours(at, quiet=quiet):
        at = quiet_hours_start_before(at, quiet=quiet)  # earlier, never at night
    if at < now:
        # That moment has passed (booked late): the first allowed moment from now, if it is still
        # before the start.
        at = quiet_hours_end(now, quiet=quiet)
        if at >= start:
            return Due(None, REASON_QUIET_HOURS if in_quiet_hours(now, quiet=quiet) else REASON_TOO_LATE)
    return Due(at)


def reminder_times(
    *, start: datetime, offsets=None, channel: str = "sms", now: datetime | None = None, quiet=...
) -> dict[timedelta, Due]:
    """Due times of the reminders before a session starting at `start`, one per offset.

    A reminder whose moment had already passed when it is scheduled is not sent (the booker has
    just been told); where quiet hours push two reminders to the same moment, only the
    shortest offset (the nearest the session) is kept. E-mail ignores quiet hours.
    """
    now = now or timezone.now()
    offsets = sorted(settings.REMINDER_OFFSETS if offsets is None else offsets, reverse=True)
    result: dict[timedelta, Due] = {}
    for offset in offsets:
        wanted = minus_offset(start, offset)
        if wanted >= start:
            result[offset] = Due(None, REASON_TOO_LATE)
        elif wanted < now:
            result[offset] = Due(None, REASON_BOOKED_AFTER_DUE)
        elif channel == "sms":
            result[offset] = sms_send_time(wanted, start=start, now=now, quiet=quiet)
        else:
            at = max(wanted, now)
            result[offset] = Due(at) if at < start else Due(None, REASON_TOO_LATE)
    # Two reminders at the same moment are one too many: keep the one nearest the session.
    kept: list[timedelta] = [offset for offset in offsets if result[offset].at is not None]
    for longer, shorter in zip(kept, kept[1:], strict=False):
        if result[longer].at >= result[shorter].at:
            result[longer] = Due(None, REASON_SUPERSEDED)
    return result


def deferred_for_quiet_hours(now: datetime, *, not_after: datetime | None, quiet=...) -> Due:
    """An SMS about to go out at `now`: send now, wait for the morning, or give up."""
    at = quiet_hours_end(now, quiet=quiet)
    if not_after is not None and at >= not_after:
        return Due(None, REASON_QUIET_HOURS)
    return Due(at)


def retry_delay(attempt: int, *, base: float = 30.0, cap: float = 3600.0, rand=None) -> timedelta:
    """Exponential backoff with full jitter for the `attempt`-th failed try (1, 2, ...)."""
    import random

    rand = rand or random.random
    ceiling = min(cap, base * (2 ** max(0, attempt - 1)))
    return timedelta(seconds=ceiling / 2 + rand() * ceiling / 2)
