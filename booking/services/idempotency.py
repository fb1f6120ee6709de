"""Safe retries: a request carrying an Idempotency-Key is done once; repeats get its answer.

The key is scoped to the caller: its user id, or for an anonymous caller its address (through
backend.client_ip, the one trusted-proxy rule), so that another client sending the same key and
body never gets someone else's answer with its manage_url. Anonymous keys must be at least
ANONYMOUS_KEY_MIN_LENGTH characters, so that two people's random keys do not meet behind one
address (a school's or a library's network). The record is inserted in its
own short transaction BEFORE the work, so the unique constraint on (scope, key) decides which
of two concurrent retries does the work; the other waits briefly for the first answer and
otherwise gets a 409 idempotency_in_progress. "The same request" means the same method, path
and equal parsed JSON. The first answer, 4xx included, is replayed for IDEMPOTENCY_TTL_HOURS;
a 5xx is not kept, so the client can retry. The kept body can hold a booking's tokens: it is
never logged, and is forgotten when the record expires.
"""

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.errors import IdempotencyInProgress, IdempotencyKeyReused, IdempotencyKeyTooShort, InvalidInput
from booking.models import IdempotencyRecord

WAIT_SECONDS = 2.0
POLL_SECONDS = 0.05
KEY_MAX_LENGTH = 255
ANONYMOUS_KEY_MIN_LENGTH = 16
ANONYMOUS_PREFIX = "anonymous:"


@dataclass
class Replay:
    status: int
    body: dict | list | None


def request_fingerprint(*, method: str, path: str, data) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


def caller_scope(user, *, address: str) -> str:
    """A user's keys are theirs wherever they call from; an anonymous caller's are its address's."""
    if getattr(user, "is_authenticated", False):
        return f"user:{user.pk}"
    return ANONYMOUS_PREFIX + address


def _key_check(key: str, *, scope: str) -> None:
    if not key or len(key) > KEY_MAX_LENGTH or not key.isascii() or not key.isprintable():
        raise InvalidInput(
            errors=[
                {
                    "pointer": "",
                    "code": "invalid_idempotency_key",
                    "detail": _("Idempotency-Key ska vara 1–255 synliga ASCII-tecken."),
                }
            ]
        )
    if scope.startswith(ANONYMOUS_PREFIX) and len(key) < ANONYMOUS_KEY_MIN_LENGTH:
        raise IdempotencyKeyTooShort(
            errors=[
                {
                    "pointer": "",
                    "code": "idempotency_key_too_short",
                    "detail": str(IdempotencyKeyTooShort.message),
                }
            ]
        )


def idempotency_begin(*, scope: str, key: str, fingerprint: str, now=None) -> IdempotencyRecord | Replay:
    """Claim the key for this request (returns the record: go and do the work), or return the
    first answer to replay. Raises IdempotencyKeyReused or IdempotencyInProgress."""
    _key_check(key, scope=scope)
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        now_at = now or timezone.now()
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    scope=scope,
                    key=key,
                    request_hash=fingerprint,
                    expires_at=now_at + timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS),
                )
        except IntegrityError:
            pass
        existing = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
        if existing is None:
            continue  # expired and purged between our insert and read: try again
        if existing.expires_at <= now_at:
            IdempotencyRecord.objects.filter(pk=existing.pk, expires_at__lte=now_at).delete()
            continue
        if existing.request_hash != fingerprint:
            raise IdempotencyKeyReused()
        if existing.state == IdempotencyRecord.State.DONE:
            return Replay(existing.response_status, existing.response_body)
        if time.monotonic() >= deadline:
            raise IdempotencyInProgress()
        time.sleep(POLL_SECONDS)


def idempotency_finish(record: IdempotencyRecord, *, status: int, body) -> None:
    """Keep the first answer. A server error is not an answer: forget the key instead."""
    if status >= 500:
        idempotency_abandon(record)
        return
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        state=IdempotencyRecord.State.DONE, response_status=status, response_body=body
    )


def idempotency_abandon(record: IdempotencyRecord) -> None:
    IdempotencyRecord.objects.filter(pk=record.pk).delete()


def idempotency_purge(*, now=None) -> int:
    """Forget expired answers (they may hold tokens). Run by a schedule or lazily."""
    deleted, _rows = IdempotencyRecord.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
