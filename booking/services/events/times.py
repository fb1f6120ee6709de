"""A session's time: aware, within the years a session may lie in, at most a day long."""

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from booking.services.events.common import invalid

# Sessions lie within a year back and three years ahead: enough for entering last term and
# planning the next ones, and never a date the calendar writers cannot handle (year 9999).
SESSION_YEARS_BACK = 1
SESSION_YEARS_AHEAD = 3


def session_date_window(now: datetime | None = None) -> tuple[datetime, datetime]:
    """The earliest and latest start a session may have, around `now`."""
    now = now or timezone.now()
    return now - timedelta(days=366 * SESSION_YEARS_BACK), now + timedelta(days=366 * SESSION_YEARS_AHEAD)


def time_check(*, start: datetime, end: datetime, pointer: str, now: datetime | None = None) -> None:
    """An aware start and end, in the date window, the end after the start, at most a day."""
    if not isinstance(start, datetime) or not isinstance(end, datetime):
        raise invalid(f"{pointer}/start", "invalid", _("Tiden måste anges med tidszon."))
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise invalid(f"{pointer}/start", "invalid", _("Tiden måste anges med tidszon."))
    earliest, latest = session_date_window(now)
    if not earliest <= start <= latest:
        raise invalid(
            f"{pointer}/start",
            "start_out_of_range",
            _("Ett tillfälle kan ligga högst ett år bakåt och tre år framåt i tiden."),
        )
    if end <= start:
        raise invalid(f"{pointer}/end", "end_before_start", _("Slutet måste vara efter starten."))
    if end - start > timedelta(days=1):
        raise invalid(f"{pointer}/end", "too_long", _("Ett tillfälle kan vara högst ett dygn."))
