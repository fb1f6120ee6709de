"""The dispatcher: sends what is due from the outbox, each message at most once, and none lost
when a pass is killed.

1. Claim: in a short transaction, due pending rows are locked with
   SELECT … FOR UPDATE SKIP LOCKED (another dispatcher skips them instead of waiting) and
   marked `sending` with claimed_at, one more attempt and the pass's own claim id (a UUID). The
   claim COMMITS before the provider is called, so a second dispatcher, or a second pass, can
   never pick the row up again. On SQLite (no SKIP LOCKED) the transaction is IMMEDIATE — the
   write lock is taken at BEGIN — and each row is claimed by a conditional
   UPDATE … WHERE status='pending' whose row count says who won.
2. Last checks: past not_after → suppressed; an opted-out number → suppressed; a number
   outside SMS_ALLOWED_COUNTRIES → suppressed; SMS in quiet hours → deferred to the morning (or
   suppressed when the morning is too late). A booker's message is written to the outbox
   without its text; it is rendered here (outbox.compose, from the booking and session as they
   are now) and the text is stored on the row.
3. Hand over: just before the provider call the pass records the moment,
   UPDATE … SET handed_at = now WHERE id = … AND status = 'sending' AND claim = <its own claim>.
   When that changes no row the row is no longer this pass's (the reaper gave it back, another
   pass holds it now): it is not sent. Every write after the claim is guarded by the claim too.
4. Record: the provider's id is written after the call, conditionally (WHERE status='sending'),
   so that a delivery report that overtook us is never moved backwards.

A pass that dies (the queue's timeout, a deploy, the OOM killer) leaves its claimed rows in
`sending`:
- without handed_at, a row was never offered to the provider. The reaper (reap_unhanded, at the
  start of every pass) returns it to `pending` once its claim is older than claim_timeout(), the
  queue's task timeout, and the next pass sends it. Should the claiming pass still be alive
  (run by hand, with no timeout), its hand-over changes no row, so the message still goes once.
- with handed_at and no provider id, it may have gone out. It is NOT resent. The StatusCallback
  URL carries the notification's id, so Twilio's report settles it
  (services.delivery_report_apply); a row still in `sending` SENDING_STALE_AFTER after its
  hand-over is marked "reconcile: …" for staff to see (selectors.failed_messages_for). A read
  timeout from Twilio is treated the same way.
A pass whose time budget runs out in the middle of a batch gives its untouched rows back at
once. Connection failures, 429 and 5xx are retried with exponential backoff and jitter, up to
settings.SMS_MAX_ATTEMPTS.
"""

import logging
import smtplib
import time
import uuid
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from booking.validation import phone_sms_country_allowed
from notifications import outbox, redact, schedule, services
from notifications.models import Notification, OptOut
from notifications.sms import SmsOptedOut, SmsPermanent, SmsRetryable, SmsUnknownOutcome, get_backend

logger = logging.getLogger("notifications.dispatch")

Status, Channel = Notification.Status, Notification.Channel
CLAIM_BATCH = 50
PASS_BUDGET_SECONDS = 40  # below Q_CLUSTER timeout (50 s): a pass ends before the worker is killed
SENDING_STALE_AFTER = timedelta(minutes=15)
RECONCILE = "reconcile: "
RETURNED = "returned: the dispatch pass stopped before handing it over"
ICS_TEMPLATES = {"confirmed", "promoted", "session_moved", "session_cancelled", "event_cancelled"}


def dispatch_pass(*, now=None, batch: int = CLAIM_BATCH, budget: float = PASS_BUDGET_SECONDS) -> Counter:
    """Send everything due, batch by batch, until nothing is due or the time budget is spent.
    Safe to run in several processes at once. Returns counts by outcome."""
    outcomes: Counter = Counter()
    started = time.monotonic()
    claim = uuid.uuid4()
    backend = None
    outcomes["returned"] += reap_unhanded(now=now)
    while time.monotonic() - started < budget:
        moment = now or timezone.now()
        claimed = claim_due(now=moment, limit=batch, claim=claim)
        if not claimed:
            break
        for index, notification in enumerate(claimed):
            if time.monotonic() - started >= budget:
                outcomes["returned"] += release_unhanded(claimed[index:])
                break
            if notification.channel == Channel.SMS and backend is None:
                backend = get_backend()
            outcomes[deliver(notification, backend=backend, now=now)] += 1
    outcomes["reconcile"] += mark_stale_sending(now=now)
    return outcomes


def claim_due(*, now, limit: int = CLAIM_BATCH, claim: uuid.UUID | None = None) -> list[Notification]:
    """Claim up to LIMIT due rows for one pass (CLAIM, a new id unless given) and return them."""
    due = Notification.objects.filter(status=Status.PENDING, due_at__lte=now).order_by("due_at", "pk")
    fields = {
        "status": Status.SENDING,
        "claim": claim or uuid.uuid4(),
        "claimed_at": now,
        "handed_at": None,
        "attempts": F("attempts") + 1,
    }
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            ids = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
            Notification.objects.filter(pk__in=ids).update(**fields)
        else:
            ids = [
                pk
                for pk in due.values_list("pk", flat=True)[:limit]
                if Notification.objects.filter(pk=pk, status=Status.PENDING).update(**fields)
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
    if not hand_over(notification, now=now):
        return "not_ours"
    if notification.channel == Channel.SMS:
        return _send_sms(notification, backend or get_backend(), now)
    return _send_email(notification, now)


def _compose(notification: Notification, now) -> None:
    """Render a booker's message now (the outbox writes it without text) and keep the text on
    the row, before the provider is called: the row is the record of what went out."""
    subject, body = outbox.compose(notification, now=now)
    if body != notification.body or subject != notification.subject:
        notification.subject, notification.body = subject, body
        _mine(notification).update(subject=subject, body=body)


def _mine(notification: Notification):
    """The row, if this pass still holds it: in `sending` under the claim it was claimed with."""
    return Notification.objects.filter(pk=notification.pk, status=Status.SENDING, claim=notification.claim)


def hand_over(notification: Notification, *, now=None) -> bool:
    """Record that the provider is about to be called, if the row is still this pass's. False:
    someone else owns it now (the reaper gave it back, another pass claimed it); do not send."""
    now = now or timezone.now()
    if (
        not _mine(notification)
        .filter(handed_at__isnull=True)
        .update(handed_at=now, updated_at=timezone.now())
    ):
        logger.info("notification %s: no longer held by this dispatch pass; not sent", notification.pk)
        return False
    notification.handed_at = now
    return True


def claim_timeout() -> timedelta:
    """How old a claim without a hand-over must be before its row is given back: the queue's
    task timeout (Q_CLUSTER["timeout"]), after which django-q has killed the pass that claimed
    it. Without a timeout configured, SENDING_STALE_AFTER."""
    seconds = (getattr(settings, "Q_CLUSTER", None) or {}).get("timeout")
    return timedelta(seconds=seconds) if seconds else SENDING_STALE_AFTER


def reap_unhanded(*, now=None) -> int:
    """Rows a dead pass claimed and never handed over go back to `pending` (to be sent by the
    next pass); the attempt they were counted is given back, as the provider never saw them."""
    now = now or timezone.now()
    returned = Notification.objects.filter(
        status=Status.SENDING, handed_at__isnull=True, claimed_at__lt=now - claim_timeout()
    ).update(
        status=Status.PENDING,
        claim=None,
        attempts=Greatest(F("attempts") - 1, Value(0)),
        status_reason=RETURNED,
        updated_at=timezone.now(),
    )
    if returned:
        logger.warning("%s claimed notifications were never handed over: back to pending", returned)
    return returned


def release_unhanded(notifications: list[Notification]) -> int:
    """Give back rows this pass claimed and will not get to (its time budget is spent)."""
    released = 0
    for notification in notifications:
        released += (
            _mine(notification)
            .filter(handed_at__isnull=True)
            .update(
                status=Status.PENDING,
                claim=None,
                attempts=Greatest(F("attempts") - 1, Value(0)),
                updated_at=timezone.now(),
            )
        )
    return released


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
        reason = redact.scrub(exc.message, notification.recipient)
        return _finish(notification, Status.FAILED, status_reason=reason, error_code=exc.code)
    except SmsUnknownOutcome as exc:
        reason = redact.scrub(exc.message, notification.recipient)
        _mine(notification).update(status_reason=f"{RECONCILE}{reason}"[:200], updated_at=now)
        return "unknown"
    except SmsRetryable as exc:
        return _retry(notification, redact.scrub(exc.message, notification.recipient), exc.code, now)
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
    message.notification_id = notification.pk  # for the console backend's log line; never sent
    if booking is not None and notification.template in ICS_TEMPLATES:
        from notifications.ics import booking_ics

        message.attach("lasrum.ics", booking_ics(booking), "text/calendar; charset=utf-8; method=PUBLISH")
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as exc:
        reason = redact.scrub(f"address refused: {exc}", notification.recipient)
        return _finish(notification, Status.FAILED, status_reason=reason[:200])
    except (smtplib.SMTPException, OSError) as exc:
        return _retry(notification, f"mail server: {exc.__class__.__name__}", "", now)
    return _sent(notification, "", now)


def _sent(notification: Notification, provider_id: str, now) -> str:
    written = _mine(notification).update(
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
    """Back to `pending` for a later pass (not handed over any more: a retry is a new hand-over)."""
    _mine(notification).update(
        status=Status.PENDING, claim=None, handed_at=None, updated_at=timezone.now(), **fields
    )


def _finish(notification: Notification, status: str, **fields) -> str:
    _mine(notification).update(status=status, updated_at=timezone.now(), **fields)
    if status != Status.SENT:
        logger.info("notification %s %s: %s", notification.pk, status, fields.get("status_reason", ""))
    return str(status)


def mark_stale_sending(*, now=None) -> int:
    """Rows handed to the provider long ago with no answer recorded: they may have gone out, so
    they are flagged for reconciliation, never resent. (Rows never handed over are the reaper's.)"""
    now = now or timezone.now()
    return (
        Notification.objects.filter(
            status=Status.SENDING, handed_at__lt=now - SENDING_STALE_AFTER, provider_id=""
        )
        .exclude(status_reason__startswith=RECONCILE)
        .update(
            status_reason=f"{RECONCILE}no result was recorded after sending began; not resent",
            updated_at=now,
        )
    )
