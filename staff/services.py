"""Writes the staff workspace makes beyond the booking and event services: the CSV export's
audit entry and a message to everyone booked into a session."""

import uuid
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from booking import access
from booking.errors import InvalidInput, PermissionDenied
from booking.models import Booking, Session
from booking.selectors.session_bookings import (
    session_bookings,
)
from booking.services.audit import audit_record
from notifications import outbox

SMS_MAX_LENGTH = 480  # three concatenated GSM-7 segments


def _audit(*, actor, action: str, session: Session, data: dict) -> None:
    audit_record(actor=actor, action=action, object_type="session", object_id=session.pk, data=data)


def participants_export_record(*, session: Session, actor, rows: int) -> None:
    """Personal data left the system: who exported which list, and how many people."""
    if not access.can_manage_event(actor, session.event):
        raise PermissionDenied()
    _audit(actor=actor, action="participants.export_csv", session=session, data={"rows": rows})


@transaction.atomic
def session_message_send(
    *, session: Session, actor, subject: str, body: str, sms_body: str = "", now: datetime | None = None
) -> int:
    """Write a message to every live booking of the session into the outbox (e-mail to those
    with an address, SMS to those who consented), under the same rules as every other message:
    never to an opted-out number, SMS not in the quiet hours (held to the morning, or stopped
    if the morning is after the session). Returns the number of messages written."""
    if not access.can_manage_event(actor, session.event):
        raise PermissionDenied()
    subject, body, sms_body = subject.strip(), body.strip(), sms_body.strip()
    if not body:
        raise InvalidInput(errors=[{"pointer": "/body", "code": "required", "detail": "body"}])
    if len(sms_body) > SMS_MAX_LENGTH:
        raise InvalidInput(errors=[{"pointer": "/sms_body", "code": "too_long", "detail": "sms_body"}])
    now = now or timezone.now()
    batch = uuid.uuid4().hex[:12]
    bookings = (
        session_bookings(session)
        .filter(status__in=[Booking.Status.CONFIRMED, Booking.Status.OFFERED, Booking.Status.WAITLISTED])
        .order_by("pk")
    )
    written = outbox.notify_staff_message(
        session=session,
        bookings=list(bookings),
        batch=batch,
        subject=subject,
        body=body,
        sms_body=sms_body,
        now=now,
    )
    _audit(
        actor=actor,
        action="session.message",
        session=session,
        data={"messages": written, "subject": subject[:200]},
    )
    return written


def statistics_export_record(*, actor, group_by: str, period) -> None:
    """The statistics left the system as a file: who downloaded which table (as the API's CSV)."""
    audit_record(
        actor=actor,
        action="statistics_exported",
        object_type="statistics",
        object_id="",
        data={"group_by": group_by, "period": [str(period[0]), str(period[1])], "via": "staff"},
    )
