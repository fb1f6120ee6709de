"""Submitting the booking form once, whatever the browser does.

The form carries a one-time key made when it was shown. The first POST with that key claims an
IdempotencyRecord (unique per scope and key, so the database decides who is first, on every
web node); a second POST of the same form — a double click, a reload, the back button — finds
the record and is sent to the first booking's confirmation instead of booking again. On a
refusal the record is let go, so that the visitor can correct the form and send it again.

The record's scope is the visitor's address (backend.client_ip, the one trusted-proxy rule), as
for anonymous API keys: a form key sent from another address never finds this visitor's
confirmation, which shows the manage link.
"""

import hashlib
import json
import time
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from booking.errors import DomainError, InvalidInput
from booking.models import Booking, Event, IdempotencyRecord

SCOPE_PREFIX = "web-booking-form:"
WAIT_FOR_FIRST_SECONDS = 5.0

# Domain error codes that concern the chosen session (shown beside it); others go on top.
SESSION_ERRORS = {"booking_not_open", "booking_closed", "session_cancelled", "session_full"}


def _hash(kwargs: dict) -> str:
    return hashlib.sha256(json.dumps(kwargs, sort_keys=True, default=str).encode()).hexdigest()


def form_scope(address: str) -> str:
    return SCOPE_PREFIX + address


def confirmation_record(key: str, *, address: str) -> IdempotencyRecord | None:
    return IdempotencyRecord.objects.filter(
        scope=form_scope(address), key=key, state=IdempotencyRecord.State.DONE, expires_at__gt=timezone.now()
    ).first()


def _claim(scope: str, key: str, request_hash: str) -> tuple[IdempotencyRecord, bool]:
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                scope=scope,
                key=key,
                request_hash=request_hash,
                expires_at=timezone.now() + timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS),
            )
            return record, True
    except IntegrityError:
        return IdempotencyRecord.objects.get(scope=scope, key=key), False


def _wait_for(record: IdempotencyRecord) -> IdempotencyRecord | None:
    """The first submit is still running (a double click): wait a moment for its answer."""
    deadline = time.monotonic() + WAIT_FOR_FIRST_SECONDS
    while time.monotonic() < deadline:
        current = IdempotencyRecord.objects.filter(pk=record.pk).first()
        if current is None:  # the first was refused and let go
            return None
        if current.state == IdempotencyRecord.State.DONE:
            return current
        time.sleep(0.1)
    return None


def booking_submit(*, form, event: Event, address: str) -> str | None:
    """Book from a valid BookingForm sent from `address`. Returns the form key of the confirmation to show, or
    None after putting the refusal on the form (beside the fields it concerns)."""
    from booking.services.bookings import booking_create

    key = form.cleaned_data["form_key"]
    kwargs = form.booking_kwargs()
    session = form.cleaned_data.get("session")
    target = {"event": event} if form.series else {"session": session}
    record, first = _claim(
        form_scope(address), key, _hash({**kwargs, "target": session.pk if session else event.pk})
    )
    if not first:
        if record.state != IdempotencyRecord.State.DONE:
            record = _wait_for(record)
        if record is not None and record.state == IdempotencyRecord.State.DONE:
            return key
        form.add_error(None, str(DomainError.message))
        return None
    try:
        result = booking_create(**target, **kwargs, source=Booking.Source.WEB)
    except InvalidInput as exc:
        record.delete()
        _errors_to_form(form, exc)
        return None
    except DomainError as exc:
        record.delete()
        field = "session" if exc.code in SESSION_ERRORS and "session" in form.fields else None
        form.add_error(field, str(exc))
        return None
    except BaseException:
        record.delete()
        raise
    record.state = IdempotencyRecord.State.DONE
    record.response_status = 201
    record.response_body = {
        "booking": result.booking.pk,
        "manage_token": result.manage_token,
        "waitlist_position": result.waitlist_position,
    }
    record.save(update_fields=["state", "response_status", "response_body"])
    return key


def _errors_to_form(form, exc: InvalidInput) -> None:
    """{"pointer": "/phone", "detail": …} → the phone field's error; unknown pointers on top."""
    placed = False
    for error in exc.errors:
        name = str(error.get("pointer", "")).strip("/").split("/")[0]
        field = name if name in form.fields else None
        if field and field in form.errors and str(error.get("detail")) in form.errors[field]:
            continue
        form.add_error(field, str(error.get("detail") or exc))
        placed = True
    if not placed and not exc.errors:
        form.add_error(None, str(exc))
