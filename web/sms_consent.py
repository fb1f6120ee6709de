"""The manage page's "send me SMS again": the number's owner opts back in for a booking."""

from django.db import transaction
from django.utils import timezone

from booking.models import Booking
from notifications.models import Notification, OptOut
from notifications.services import sms_opt_in


def sms_resume(*, booking: Booking, now=None) -> int:
    """Lift the number's opt-out (consent recorded with source web), give the booking SMS
    consent as of now, and put back this booking's SMS reminders that the opt-out stopped and
    whose time has not yet come (one whose time passed while opted out belonged to that time).
    Returns how many reminders were put back."""
    now = now or timezone.now()
    with transaction.atomic():
        sms_opt_in(booking.phone, OptOut.Source.WEB, booking=booking, now=now)
        booking.sms_consent, booking.sms_consent_at = True, now
        booking.save(update_fields=["sms_consent", "sms_consent_at", "updated_at"])
        return (
            Notification.objects.for_contact(booking.phone)
            .filter(
                booking=booking,
                channel=Notification.Channel.SMS,
                template="reminder",
                status=Notification.Status.SUPPRESSED,
                status_reason="opted_out",
                due_at__gt=now,
            )
            .update(status=Notification.Status.PENDING, status_reason="", updated_at=now)
        )
