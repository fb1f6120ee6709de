"""Messages about a booking's needs (booking.services.booking_needs, through the port).

"answered": the booker hears that staff answered a need, through their channel. The e-mail is
rendered at dispatch (compose() in notifications.outbox, with booker_extras) and names the needs
and the answers; the SMS carries only the link to the manage page, because needs are health
data and do not travel through the SMS provider.
"changed" / "erased": the library's staff hear that the booker changed their needs or withdrew
consent (then the needs are gone: the message says only that they were erased).
"""

import uuid

from django.conf import settings
from django.utils import timezone

from booking.models import AccessibilityNeed, AccessibilityRequest
from notifications import outbox, recipients, render
from notifications.models import Notification
from notifications.outbox.booker import booker_rows, last_end
from notifications.outbox.rows import rows_insert, staff_email_rows


def notify_needs(booking, kind: str, *, now=None, code: str = "", before=(), **_context) -> None:
    now = now or timezone.now()
    if kind == "answered":
        link = outbox.stored_link(booking)
        key = f"booking:{booking.pk}:need_answered:{uuid.uuid4().hex[:12]}"
        rows = booker_rows(
            booking,
            "need_answered",
            key=key,
            session=booking.session,
            link=link,
            now=now,
            not_after=last_end(booking, booking.session),
        )
        rows_insert(rows)
        return
    if kind in ("changed", "erased"):
        rows_insert(_to_staff(booking, kind, before=list(before), now=now))
        return
    raise ValueError(f"unknown needs message {kind!r}")


def _names(codes) -> list[str]:
    return list(AccessibilityNeed.objects.filter(code__in=list(codes)).values_list("name_sv", flat=True))


def _to_staff(booking, kind: str, *, before: list[str], now) -> list[Notification]:
    request = AccessibilityRequest.objects.filter(booking=booking).first()
    after = list(request.needs.values_list("code", flat=True)) if request else []
    library_name, emails = recipients.library_name_and_emails(booking.event.library_id)
    session = booking.session or booking.event.sessions.order_by("start").first()
    context = {
        "event": booking.event.title,
        "library": library_name,
        "when": render.local_when(session.start if session else None, "sv"),
        "booking": booking,
        "erased": kind == "erased",
        "added": _names(set(after) - set(before)),
        "removed": _names(set(before) - set(after)),
        "needs": _names(after),
        "note": request.note if request else "",
        "staff_url": f"{settings.PUBLIC_BASE_URL}/personal/",
    }
    subject, body = render.render_email("staff_needs_changed", context, "sv")
    batch = uuid.uuid4().hex[:12]
    return staff_email_rows(
        booking=booking,
        session=session,
        template="staff_needs_changed",
        subject=subject,
        body=body,
        emails=emails,
        key=f"staff_needs_changed:{booking.pk}:{batch}",
        now=now,
    )
