"""The dispatcher: sends what is due from the outbox, each message at most once.

1. Claim: in a short transaction, due pending rows are locked with
   SELECT … FOR UPDATE SKIP LOCKED (another dispatcher skips them instead of waiting) and
   marked `sending` with claimed_at and one more attempt. The claim COMMITS before the provider
   is called, so a second dispatcher, or a second pass, can never pick the row up again.
   On SQLite (no SKIP LOCKED) the transaction is IMMEDIATE — the write lock is taken at BEGIN —
   and each row is claimed by a conditional UPDATE … WHERE status='pending' whose row count says
   who won.
2. Send: just before the provider call, the last checks: past not_after → suppressed; an
   opted-out number → suppressed; a number outside SMS_ALLOWED_COUNTRIES → suppressed; SMS in quiet hours → deferred to the morning (or suppressed
   when the morning is too late). A booker's message is written to the outbox without its text;
   it is rendered here (outbox.compose, from the booking and session as they are now) and the
   text is stored on the row before the provider is called.
3. Record: the provider's id is written after the call, conditionally (WHERE status='sending'),
   so that a delivery report that overtook us is never moved backwards.

A crash between 2 and 3 leaves the row in `sending`. It is NOT resent automatically — it may have
gone out. The StatusCallback URL carries the notification's id, so Twilio's report settles it
(services.delivery_report_apply); a row still in `sending` after SENDING_STALE_AFTER is marked
"reconcile: …" for staff to see (selectors.failed_messages_for). A read timeout from Twilio is
treated the same way. Connection failures, 429 and 5xx are retried with exponential backoff and
jitter, up to settings.SMS_MAX_ATTEMPTS.
"""

import logging
import smtplib
import time
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from booking.validation import phone_sms_country_allowed
from notifications import outbox, schedule, services
from notifications.models import Notification, OptOut
from notifications.sms import SmsOptedOut, SmsPermanent, SmsRetryable, SmsUnknownOutcome, get_backend

logger = logging.getLogger("notifications.dispatch")

Status, Channel = Notification.Status, Notification.Channel
CLAIM_BATCH = 50
PASS_BUDGET_SECONDS = 40  # below Q_CLUSTER timeout (50 s): a pass ends before the worker is killed
SENDING_STALE_AFTER = timedelta(minutes=15)
RECONCILE = "reconcile: "
ICS_TEMPLATES = {"confirmed", "promoted", "session_moved", "session_cancelled", "event_cancelled"}


def dispatch_pass(*, now=None, batch: int = CLAIM_BATCH, budget: float = PASS_BUDGET_SECONDS) -> Counter:
    """Send everything due, batch by batch, until nothing is due or the time budget is spent.
    Safe to run in several processes at once. Returns counts by outcome."""
    outcomes: Counter = Counter()
    started = time.monotonic()
    backend = None
    while time.monotonic() - started < budget:
        moment = now or timezone.now()
        claimed = claim_due(now=moment, limit=batch)
        if not claimed:
            break
        for notification in claimed:
            if notification.channel == Channel.SMS and backend is None:
                backend = get_backend()
            outcomes[deliver(notification, backend=backend, now=now)] += 1
    outcomes["reconcile"] += mark_stale_sending(now=now)
    return outcomes


def claim_due(*, now, limit: int = CLAIM_BATCH) -> list[Notification]:
    due = Notification.objects.filter(status=Status.PENDING, due_at__lte=now).order_by("due_at", "pk")
    claim = {"status": Status.SENDING, "claimed_at": now, "attempts": F("attempts") + 1}
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            ids = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
            Notification.objects.filter(pk__in=ids).update(**claim)
        else:
            ids = [
                pk
                for pk in due.values_list("pk", flat=True)[:limit]
                if Notification.objects.filter(pk=pk, status=Status.PENDING).update(**claim)
            ]
    return list(
        Notification.objects.filter(pk__in=ids)
        .select_related(
            "booking__event__library", "booking__event__room", "booking__session", "session__room"
        )
        .order_by("due_at", "pk")
    )


def deliver(notification: Notification, *, backend=None, now=None) -> str:
    """Send one claimed (status sending) notification; returns the outcome's name."""
    now = now or timezone.now()
    if notification.not_after and now >= notification.not_after:
        return _finish(notification, Status.SUPPRESSED, status_reason=schedule.REASON_TOO_LATE)
    if notification.channel == Channel.SMS:
        if services.is_opted_out(notification.recipient):
            return _finish(notification, Status.SUPPRESSED, status_reason="opted_out")
        if not phone_sms_country_allowed(notification.recipient):
            # Defence in depth: booking refuses such numbers for SMS, but rows written before
            # (or by other paths) must not reach premium ranges abroad either.
            return _finish(notification, Status.SUPPRESSED, status_reason="country_not_allowed")
        if schedule.in_quiet_hours(now):
            later = schedule.deferred_for_quiet_hours(now, not_after=notification.not_after)
            if later.at is None:
                return _finish(notification, Status.SUPPRESSED, status_reason=later.reason)
            _release(notification, due_at=later.at, status_reason="", attempts=F("attempts") - 1)
            return "deferred"
    if not notification.body:
        try:
            _compose(notification, now)
        except Exception as exc:  # a message that cannot be written must not stop the others
            logger.exception("notification %s: could not render %s", notification.pk, notification.template)
            return _finish(notification, Status.FAILED, status_reason=f"render: {exc.__class__.__name__}")
    if notification.channel == Channel.SMS:
        return _send_sms(notification, backend or get_backend(), now)
    return _send_email(notification, now)


def _compose(notification: Notification, now) -> None:
    """Render a booker's message now (the outbox writes it without text) and keep the text on
    the row, before the provider is called: the row is the record of what went out."""
    subject, body = outbox.compose(notification, now=now)
    if body != notification.body or subject != notification.subject:
        notification.subject, notification.body = subject, body
        Notification.objects.filter(pk=notification.pk).update(subject=subject, body=body)


def status_callback_url(notification: Notification) -> str:
    return f"{settings.PUBLIC_BASE_URL}/notifications/twilio/status/?n={notification.pk}"


def _send_sms(notification: Notification, backend, now) -> str:
    try:
        result = backend.send(
            notification.recipient, notification.body, status_callback=status_callback_url(notification)
        )
    except SmsOptedOut as exc:
        services.sms_opt_out(notification.recipient, OptOut.Source.PROVIDER, booking=notification.booking)
        return _finish(notification, Status.SUPPRESSED, status_reason="opted_out", error_code=exc.code)
    except SmsPermanent as exc:
        return _finish(notification, Status.FAILED, status_reason=exc.message, error_code=exc.code)
    except SmsUnknownOutcome as exc:
        Notification.objects.filter(pk=notification.pk, status=Status.SENDING).update(
            status_reason=f"{RECONCILE}{exc.message}"[:200], updated_at=now
        )
        return "unknown"
    except SmsRetryable as exc:
        return _retry(notification, exc.message, exc.code, now)
    return _sent(notification, result.provider_id, now)


def _send_email(notification: Notification, now) -> str:
    booking = notification.booking
    reply_to = []
    if booking is not None and booking.event.library.email:
        reply_to = [booking.event.library.email]
    message = EmailMessage(
        subject=notification.subject,
        body=notification.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient],
        reply_to=reply_to,
        headers={"Auto-Submitted": "auto-generated"},
    )
    if booking is not None and notification.template in ICS_TEMPLATES:
        from notifications.ics import booking_ics

        message.attach("lasrum.ics", booking_ics(booking), "text/calendar; charset=utf-8; method=PUBLISH")
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as exc:
        return _finish(notification, Status.FAILED, status_reason=f"address refused: {exc}"[:200])
    except (smtplib.SMTPException, OSError) as exc:
        return _retry(notification, f"mail server: {exc.__class__.__name__}", "", now)
    return _sent(notification, "", now)


def _sent(notification: Notification, provider_id: str, now) -> str:
    written = Notification.objects.filter(pk=notification.pk, status=Status.SENDING).update(
        status=Status.SENT,
        provider_id=provider_id,
        sent_at=now,
        status_reason="",
        error_code="",
        updated_at=now,
    )
    if not written and provider_id:
        # A delivery report got here first and moved the row on: only add the id.
        Notification.objects.filter(pk=notification.pk, provider_id="").update(provider_id=provider_id)
    return "sent"


def _retry(notification: Notification, reason: str, code: str, now) -> str:
    if notification.attempts >= settings.SMS_MAX_ATTEMPTS:
        return _finish(
            notification,
            Status.FAILED,
            status_reason=f"gave up after {notification.attempts} attempts: {reason}"[:200],
            error_code=code,
        )
    due = now + schedule.retry_delay(notification.attempts)
    if notification.not_after and due >= notification.not_after:
        return _finish(
            notification, Status.SUPPRESSED, status_reason=schedule.REASON_TOO_LATE, error_code=code
        )
    _release(notification, due_at=due, status_reason=f"retrying: {reason}"[:200], error_code=code)
    return "retry"


def _release(notification: Notification, **fields) -> None:
    Notification.objects.filter(pk=notification.pk, status=Status.SENDING).update(
        status=Status.PENDING, updated_at=timezone.now(), **fields
    )


def _finish(notification: Notification, status: str, **fields) -> str:
    Notification.objects.filter(pk=notification.pk, status=Status.SENDING).update(
        status=status, updated_at=timezone.now(), **fields
    )
    if status != Status.SENT:
        logger.info("notification %s %s: %s", notification.pk, status, fields.get("status_reason", ""))
    return str(status)


def mark_stale_sending(*, now=None) -> int:
    """Rows claimed long ago and never settled: flag them for reconciliation, never resend."""
    now = now or timezone.now()
    return (
        Notification.objects.filter(status=Status.SENDING, claimed_at__lt=now - SENDING_STALE_AFTER)
        .exclude(status_reason__startswith=RECONCILE)
        .update(
            status_reason=f"{RECONCILE}no result was recorded after sending began; not resent",
            updated_at=now,
        )
    )
