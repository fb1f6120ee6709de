"""The booker's PATCH on their booking (api_url): seats and contact (booking_change), needs
(booking_needs_change) and the session (booking_move), all or nothing in one transaction."""

from django.db import transaction
from django.utils.translation import gettext as _

from booking.errors import InvalidInput
from booking.models import Booking, Session
from booking.services.booking_move import booking_move
from booking.services.booking_needs import booking_needs_change
from booking.services.bookings import booking_change

NEEDS_FIELDS = ("accessibility_needs", "accessibility_note", "accessibility_consent")


def booking_patch(*, booking: Booking, session=None, **fields) -> Booking:
    """Apply the fields given (None or absent: unchanged). `session`: a session id to move to."""
    needs = {name: fields.pop(name) for name in NEEDS_FIELDS if name in fields}
    with transaction.atomic():
        current = booking
        if fields:
            current = booking_change(booking=current, **fields)
        if needs:
            booking_needs_change(booking=current, **needs)
        if session is not None:
            target = Session.objects.filter(pk=session, event_id=current.event_id).first()
            if target is None:
                raise InvalidInput(
                    errors=[
                        {
                            "pointer": "/session",
                            "code": "unknown_session",
                            "detail": str(_("Välj ett annat tillfälle av samma evenemang.")),
                        }
                    ]
                )
            booking_move(booking=current, session=target)
    return Booking.objects.select_related("event", "session").get(pk=booking.pk)
