"""What the events services share: who may manage, the audit entry, the creators' calendars
and the waitlist fill."""

from __future__ import annotations

from typing import TYPE_CHECKING

from booking.access import can_manage_library
from booking.errors import InvalidInput, PermissionDenied
from booking.models import Event, Library, Session
from booking.services import availability, waitlist
from booking.services.audit import audit_record

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from booking.models import Creator

    Actor = AbstractBaseUser | AnonymousUser | None


def invalid(pointer: str, code: str, detail: str) -> InvalidInput:
    return InvalidInput(errors=[{"pointer": pointer, "code": code, "detail": detail}])


def event_audit(
    *,
    actor: Actor,
    action: str,
    obj: Event | Session,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    data: dict | None = None,
) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type=obj._meta.model_name,
        object_id=obj.pk,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        data=data,
    )


def manage_check(*, actor: Actor, library_id: int) -> None:
    """PermissionDenied unless the actor may manage the library (None: the system itself)."""
    if actor is not None and not can_manage_library(actor, library_id):
        raise PermissionDenied()


def waitlist_serve(*, session: Session | None = None, event: Event | None = None) -> None:
    """Give freed seats to the waitlist, in this transaction (booking.services.waitlist)."""
    waitlist.waitlist_fill(session=session, event=event)


def creators_ensure_free(
    *,
    creators: Iterable[Creator | int] | None,
    times: Iterable[tuple[datetime, datetime]],
    event: Event | None = None,
    library: Library,
    pointers: list[str] | None = None,
    exclude_session_ids: Iterable[int] = (),
) -> None:
    """Lock the creators' rows (by id), then check each is free at every time; else 409
    creator_unavailable. `creators`: Creator objects or ids."""
    ids = [getattr(creator, "pk", creator) for creator in creators or ()]
    times = list(times)
    if not ids or not times:
        return
    locked = {creator.pk: creator for creator in availability.lock_creators(ids)}
    availability.creators_ensure_available(
        creators=[locked[pk] for pk in ids],
        times=times,
        municipality=library.municipality,
        digital=event is not None and availability.event_is_digital(event),
        exclude_session_ids=exclude_session_ids,
        event_id=event.pk if event is not None else None,
        pointers=pointers or [f"/creators/{index}" for index in range(len(ids))],
    )
