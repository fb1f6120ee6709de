"""Opt-out and consent, and delivery reports: the writes the webhooks and the manage page make.

An opted-out number stays opted out until its owner sends START or opts in on the manage page
(API.md): a new booking with SMS consent from it is accepted, and no SMS goes to it.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from notifications.models import ConsentEvent, Notification, OptOut, recipient_digest_of

Status = Notification.Status

# Our statuses in the order a message moves through them; a report never moves one backwards.
RANK = {
    Status.PENDING: 0,
    Status.SENDING: 1,
    Status.SENT: 2,
    Status.DELIVERED: 3,
    Status.UNDELIVERED: 3,
    Status.FAILED: 3,
    Status.SUPPRESSED: 3,
}
# Twilio's MessageStatus → ours. queued/accepted/sending at Twilio mean Twilio has it: "sent".
PROVIDER_STATUS = {
    "accepted": Status.SENT,
    "scheduled": Status.SENT,
    "queued": Status.SENT,
    "sending": Status.SENT,
    "sent": Status.SENT,
    "delivered": Status.DELIVERED,
    "read": Status.DELIVERED,
    "undelivered": Status.UNDELIVERED,
    "failed": Status.FAILED,
    "canceled": Status.FAILED,
}


def is_opted_out(phone: str) -> bool:
    return bool(phone) and OptOut.objects.for_contact(phone).exists()


def sms_opt_out(phone: str, source: str, *, booking=None, now=None) -> bool:
    """Opt a number out of SMS (idempotent). Pending SMS to it are suppressed. True if new."""
    now = now or timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                OptOut.objects.create(
                    phone_digest=recipient_digest_of(phone), source=source, opted_out_at=now
                )
            created = True
        except IntegrityError:
            created = False
        if created:
            ConsentEvent.objects.create(
                phone=phone, action=ConsentEvent.Action.OPT_OUT, source=source, booking=booking
            )
        Notification.objects.for_contact(phone).filter(
            channel=Notification.Channel.SMS, status=Status.PENDING
        ).update(status=Status.SUPPRESSED, status_reason="opted_out", updated_at=now)
    return created


def sms_opt_in(phone: str, source: str, *, booking=None, now=None) -> bool:
    """Lift an opt-out (START by SMS, or the manage page's opt-in). True if one was lifted.

    Messages suppressed while opted out stay suppressed: they belonged to that time."""
    with transaction.atomic():
        deleted, _ = OptOut.objects.for_contact(phone).delete()
        if deleted:
            ConsentEvent.objects.create(
                phone=phone, action=ConsentEvent.Action.OPT_IN, source=source, booking=booking
            )
    return bool(deleted)


def delivery_report_apply(
    *, notification_id: int | None, provider_id: str, provider_status: str, error_code: str = "", now=None
) -> bool:
    """Apply a provider's status report, idempotently and never backwards. True if it changed.

    The notification's id travels in the StatusCallback URL, so a report also settles a row
    whose provider id was never written (the dispatcher died between the call and the write).
    """
    now = now or timezone.now()
    new = PROVIDER_STATUS.get((provider_status or "").lower())
    if new is None:
        return False
    with transaction.atomic():
        rows = Notification.objects.select_for_update()
        row = None
        if notification_id:
            row = rows.filter(pk=notification_id).first()
            if row and row.provider_id and provider_id and row.provider_id != provider_id:
                row = None  # a report for another message than the one this id sent
        if row is None and provider_id:
            row = rows.filter(provider_id=provider_id).first()
        if row is None or RANK[new] <= RANK[row.status]:
            return False
        row.status = new
        fields = ["status", "updated_at"]
        if provider_id and not row.provider_id:
            row.provider_id = provider_id
            fields.append("provider_id")
        if row.sent_at is None:
            row.sent_at = now
            fields.append("sent_at")
        if new in (Status.SENT, Status.DELIVERED) and row.status_reason:
            row.status_reason = ""  # e.g. a row that waited for reconciliation
            fields.append("status_reason")
        if error_code:
            row.error_code = str(error_code)[:20]
            row.status_reason = f"Twilio {error_code}"[:200]
            fields += ["error_code", "status_reason"]
        row.save(update_fields=fields)
    if str(error_code) == "21610":
        sms_opt_out(row.recipient, OptOut.Source.PROVIDER, booking=row.booking)
    return True
