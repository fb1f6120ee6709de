"""How often a contact did not come: counted over the no-shows still on record, those of the
last RETENTION_DAYS_AFTER_EVENT days (older bookings are anonymised, their digests gone).

Matched through the bookings' keyed contact digests (e-mail or number), never the contacts
themselves. A count for staff only: no public mark, and nothing follows from it by itself.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q

from booking.models import Attendance


def no_show_window_days() -> int:
    return settings.RETENTION_DAYS_AFTER_EVENT


def no_shows_by_booking(bookings, *, now: datetime, exclude_session_id: int | None = None) -> dict[int, int]:
    """{booking id: how many no-shows its contact had in the window}, in ONE query for all the
    bookings. A no-show at `exclude_session_id` (the session being listed) is not counted: the
    list shows it already."""
    emails = {b.email_digest for b in bookings if b.email_digest}
    phones = {b.phone_digest for b in bookings if b.phone_digest}
    if not emails and not phones:
        return {}
    rows = (
        Attendance.objects.filter(status=Attendance.Status.NO_SHOW)
        .filter(session__start__gte=now - timedelta(days=no_show_window_days()), session__start__lte=now)
        .filter(Q(booking__email_digest__in=emails) | Q(booking__phone_digest__in=phones))
        .values_list("pk", "session_id", "booking__email_digest", "booking__phone_digest")
    )
    by_email: dict[str, set] = {}
    by_phone: dict[str, set] = {}
    for pk, session_id, email, phone in rows:
        if session_id == exclude_session_id:
            continue
        if email:
            by_email.setdefault(email, set()).add(pk)
        if phone:
            by_phone.setdefault(phone, set()).add(pk)
    counts = {}
    for b in bookings:
        seen = by_email.get(b.email_digest, set()) if b.email_digest else set()
        seen = seen | (by_phone.get(b.phone_digest, set()) if b.phone_digest else set())
        if seen:
            counts[b.pk] = len(seen)
    return counts
