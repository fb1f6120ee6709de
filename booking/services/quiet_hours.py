"""SMS quiet hours: the night in which nobody is sent an SMS or asked to answer one. Pure functions.

settings.SMS_QUIET_HOURS is a (begins, ends) pair of local wall-clock times in settings.TIME_ZONE
(Europe/Stockholm), e.g. 21:00-08:00; it may wrap midnight, and None or () turns quiet hours off.
The beginning is quiet, the end is not. The waitlist (no offers made in the night) and the
notifications (no SMS sent in the night, reminders moved out of it) both ask these functions.
"""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

# The "end of the previous allowed window" is the start of the quiet hours less this margin, so
# that a dispatch pass that runs a minute or two late (the scheduler ticks about every 30 s) still
# sends before the quiet hours begin.
QUIET_MARGIN = timedelta(minutes=5)


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def quiet_window(quiet):
    """The (begins, ends) pair to use: `quiet` when given, else settings.SMS_QUIET_HOURS."""
    return settings.SMS_QUIET_HOURS if quiet is ... else quiet


def _at_local(day, clock: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, clock).replace(tzinfo=tz)


def in_quiet_hours(moment: datetime, *, quiet=...) -> bool:
    """Is this moment inside the quiet hours (local time)? The end is not quiet."""
    quiet = quiet_window(quiet)
    if not quiet:
        return False
    start, end = quiet
    clock = moment.astimezone(_tz()).time()
    if start <= end:  # a window within one day, e.g. 12:00-13:00
        return start <= clock < end
    return clock >= start or clock < end  # across midnight, e.g. 21:00-08:00


def quiet_hours_end(moment: datetime, *, quiet=...) -> datetime:
    """The first allowed moment at or after `moment` (itself when it is not in quiet hours)."""
    quiet = quiet_window(quiet)
    if not in_quiet_hours(moment, quiet=quiet):
        return moment
    tz = _tz()
    local = moment.astimezone(tz)
    end = _at_local(local.date(), quiet[1], tz)
    if end <= local:
        end = _at_local(local.date() + timedelta(days=1), quiet[1], tz)
    return end.astimezone(UTC)


def quiet_hours_start_before(moment: datetime, *, quiet=...) -> datetime:
    """For a moment in quiet hours: the start of those quiet hours, less QUIET_MARGIN."""
    quiet = quiet_window(quiet)
    tz = _tz()
    local = moment.astimezone(tz)
    start = _at_local(local.date(), quiet[0], tz)
    if start > local:
        start = _at_local(local.date() - timedelta(days=1), quiet[0], tz)
    return (start - QUIET_MARGIN).astimezone(UTC)
