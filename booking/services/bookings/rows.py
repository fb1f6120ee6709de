"""A booking's row locked for a change, and the audit entry of a change staff made."""

from __future__ import annotations

from typing import TYPE_CHECKING

from booking.models import Booking
from booking.services.audit import audit_record

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    Actor = AbstractBaseUser | AnonymousUser | None


def booking_locked(*, booking: Booking) -> Booking:
    """The booking read again with its row locked until COMMIT (and its event)."""
    # NO KEY UPDATE: blocks other writers of the booking, not inserts that reference it (the
    # outbox's Notification rows take KEY SHARE on it through their foreign key).
    return (
        Booking.objects.select_for_update(of=("self",), no_key=True)
        .select_related("event")
        .get(pk=booking.pk)
    )


def booking_audit(
    *,
    actor: Actor,
    action: str,
    booking: Booking,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    data: dict | None = None,
) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type="booking",
        object_id=booking.pk,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        data=data,
    )
