"""Check-in: attended or no-show, per booking and session, and how many of its seats came.

When: `attended` from 00:00 Europe/Stockholm on the session's day (staff check a class in as
it arrives, an hour before the start is fine); `no_show` only once the session has started.
There is no upper bound: paper lists are entered days later. A check-in days before is
refused (409 `attendance_not_open`), so that the statistics never count people who have not
come yet; they count attendance only for sessions that have started anyway
(booking.selectors.statistics).

`attended_seats` is how many of the booking's seats came ("22 of a class of 25"): all of them
unless staff say fewer, 0 for a no-show.
"""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking import dates
from booking.errors import AttendanceNotOpen, InvalidInput, InvalidTransition
from booking.models import Attendance, Booking, Session
from booking.services.audit import audit_record


def attendance_opens(session: Session) -> datetime:
    """00:00 local time of the session's day: the first moment a check-in is accepted."""
    zone = ZoneInfo(settings.TIME_ZONE)
    return datetime.combine(session.start.astimezone(zone).date(), time.min, tzinfo=zone)


def _invalid(pointer: str, detail: str) -> InvalidInput:
    return InvalidInput(errors=[{"pointer": pointer, "code": "invalid", "detail": detail}])


def _seats_came(booking: Booking, status: str, attended_seats) -> int:
    if status == Attendance.Status.NO_SHOW:
        if attended_seats not in (None, "", 0):
            raise _invalid("/attended_seats", _("En bokning som uteblev har inga som kom."))
        return 0
    if attended_seats in (None, ""):
        return booking.seats
    try:
        came = int(attended_seats)
    except (TypeError, ValueError):
        came = -1
    if not 1 <= came <= booking.seats:
        raise _invalid(
            "/attended_seats",
            _("Ange hur många som kom: från 1 till %(seats)s.") % {"seats": booking.seats},
        )
    return came


def attendance_record(
    *,
    booking: Booking,
    session: Session,
    status: str,
    actor,
    attended_seats: int | None = None,
    now: datetime | None = None,
) -> Attendance:
    """Check a confirmed booking in (attended, with how many came) or mark it a no-show."""
    if status not in Attendance.Status.values:
        raise _invalid("/status", _("Ange attended eller no_show."))
    belongs = booking.session_id == session.pk or (
        booking.session_id is None and booking.event_id == session.event_id
    )
    if not belongs:
        raise _invalid("/session", _("Bokningen gäller inte det tillfället."))
    if booking.status != Booking.Status.CONFIRMED:
        raise InvalidTransition()
    now = now or timezone.now()
    opens = attendance_opens(session)
    if now < opens:
        day = dates.format_date(opens.date(), weekday=False, year=True)
        raise AttendanceNotOpen(
            _("Incheckningen öppnar på tillfällets dag, %(day)s.") % {"day": day},
        )
    if status == Attendance.Status.NO_SHOW and now < session.start:
        raise AttendanceNotOpen(_("Uteblev kan markeras först när tillfället har börjat."))
    came = _seats_came(booking, status, attended_seats)
    with transaction.atomic():
        attendance, _created = Attendance.objects.update_or_create(
            booking=booking,
            session=session,
            defaults={"status": status, "attended_seats": came, "recorded_by": actor},
        )
        audit_record(
            actor=actor,
            action="attendance_record",
            object_type="booking",
            object_id=booking.pk,
            to_status=status,
            data={"session": session.pk, "attended_seats": came},
        )
    return attendance
