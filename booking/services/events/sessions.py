"""An event's sessions, one by one: added, moved (in time, place or capacity), cancelled.

SEQUENCE grows when a session's time or place changes or it is cancelled (RFC 5546), and its
bookers are told through the outbox in the same transaction."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking import messages
from booking.errors import CapacityBelowTaken, InvalidTransition
from booking.models import Event, Room, Session
from booking.selectors.booking_target import event_books_whole_series
from booking.services import rooms
from booking.services.events.common import (
    creators_ensure_free,
    event_audit,
    invalid,
    manage_check,
    waitlist_serve,
)
from booking.services.events.times import time_check
from booking.services.recurrence import MAX_SESSIONS
from booking.validation import text_clean

if TYPE_CHECKING:
    from booking.services.events.common import Actor


@transaction.atomic
def sessions_add(*, event: Event, actor: Actor, sessions: list[dict]) -> list[Session]:
    """New sessions ([{start, end}], aware) for an existing event, in its room and with its
    capacity, checked as when the event was created: times, its creators free, the room free.
    Nobody is told: nobody has booked them yet."""
    event = Event.objects.select_for_update(of=("self",)).select_related("room", "library").get(pk=event.pk)
    manage_check(actor=actor, library_id=event.library_id)
    if event.status == Event.Status.CANCELLED:
        raise InvalidTransition(_("Evenemanget är inställt och kan inte ändras."))
    if len(sessions) > MAX_SESSIONS:
        raise invalid(
            "/sessions", "too_many_sessions", _("Högst %(max)s tillfällen.") % {"max": MAX_SESSIONS}
        )
    pairs = [(item.get("start"), item.get("end")) for item in sessions]
    for index, (start, end) in enumerate(pairs):
        time_check(start=start, end=end, pointer=f"/sessions/{index}")
    creators = list(event.creators.values_list("pk", flat=True))
    creators_ensure_free(
        creators=creators,
        times=pairs,
        event=event,
        library=event.library,
        pointers=["/sessions"] * len(creators),
    )
    rooms.room_lock(room=event.room)
    rooms.rooms_ensure_free(room=event.room, times=pairs, pointer="/sessions")
    added = Session.objects.bulk_create(
        [
            Session(event=event, start=start, end=end, room=event.room, capacity=event.capacity)
            for start, end in pairs
        ]
    )
    event_audit(
        actor=actor,
        action="sessions_added",
        obj=event,
        data={"sessions": [s.start.isoformat() for s in added]},
    )
    return added


@transaction.atomic
def session_move(
    *,
    session: Session,
    actor: Actor,
    start: datetime | None = None,
    end: datetime | None = None,
    room: Room | None = None,
    capacity: int | None = None,
    clear_room: bool = False,
) -> Session:
    """Move one session in time or place, or change its capacity (which then no longer
    follows the event). SEQUENCE grows when time or place changes, and bookers are told; more
    seats go to the waitlist at once."""
    session = (
        Session.objects.select_for_update(of=("self",)).select_related("event", "room").get(pk=session.pk)
    )
    event = session.event
    manage_check(actor=actor, library_id=event.library_id)
    if session.status == Session.Status.CANCELLED or event.status == Event.Status.CANCELLED:
        raise InvalidTransition(_("Tillfället är inställt och kan inte flyttas."))

    new_start = start or session.start
    new_end = end or session.end
    if start is not None and end is None:
        new_end = start + (session.end - session.start)  # moving the start keeps the length
    time_check(start=new_start, end=new_end, pointer="")
    new_room = None if clear_room else (room or session.room)
    if new_room is not None and new_room.library_id != event.library_id:
        raise invalid("/room", "room_not_in_library", _("Lokalen hör inte till biblioteket."))
    new_capacity = capacity if capacity is not None else session.capacity
    if new_capacity < 1:
        raise invalid("/capacity", "invalid", _("Antalet platser måste vara minst 1."))
    if new_capacity < session.seats_taken:
        raise CapacityBelowTaken(
            errors=[
                {
                    "pointer": "/capacity",
                    "code": "capacity_below_taken",
                    "detail": _("%(taken)s platser är redan bokade.") % {"taken": session.seats_taken},
                }
            ]
        )
    rooms.room_capacity_check(
        room=new_room, capacity=new_capacity, pointer="/capacity" if capacity is not None else "/room"
    )

    time_changed = new_start != session.start or new_end != session.end
    place_changed = (new_room.pk if new_room else None) != session.room_id
    if time_changed:
        # Its creators (a visit's author, a circle's leader) must be free at the new time.
        creators = list(event.creators.values_list("pk", flat=True))
        creators_ensure_free(
            creators=creators,
            times=[(new_start, new_end)],
            event=event,
            library=event.library,
            pointers=["/start"] * len(creators),
            exclude_session_ids=[session.pk],
        )
    if new_room is not None and (time_changed or place_changed):
        rooms.room_lock(room=new_room)
        if not rooms.room_is_free(
            room=new_room, start=new_start, end=new_end, exclude_session_ids=[session.pk]
        ):
            raise rooms.room_taken(pointer="/room" if place_changed and not time_changed else "/start")

    before = {
        "start": session.start.isoformat(),
        "end": session.end.isoformat(),
        "room": session.room_id,
        "capacity": session.capacity,
    }
    grew = new_capacity > session.capacity
    session.start, session.end, session.room = new_start, new_end, new_room
    if capacity is not None:
        session.capacity = new_capacity
        session.capacity_overridden = True
    if time_changed or place_changed:
        session.sequence += 1
    session.save()

    if time_changed or place_changed:
        messages.notify_session_moved(session)
    if grew:
        if event_books_whole_series(event):
            waitlist_serve(event=event)
        else:
            waitlist_serve(session=session)
    event_audit(
        actor=actor,
        action="session_moved",
        obj=session,
        data={
            "before": before,
            "after": {
                "start": session.start.isoformat(),
                "end": session.end.isoformat(),
                "room": session.room_id,
                "capacity": session.capacity,
            },
            "sequence": session.sequence,
        },
    )
    return session


@transaction.atomic
def session_cancel(
    *, session: Session, actor: Actor, reason: str = "", now: datetime | None = None
) -> Session:
    """Cancel one session. It keeps its UID (feeds show it as cancelled rather than dropping
    it); SEQUENCE grows, as RFC 5546 asks of a cancellation; its bookers are told."""
    reason = text_clean(reason, pointer="/reason", max_length=1000, multiline=True)
    now = now or timezone.now()
    session = Session.objects.select_for_update(of=("self",)).select_related("event").get(pk=session.pk)
    manage_check(actor=actor, library_id=session.event.library_id)
    if session.status == Session.Status.CANCELLED:
        raise InvalidTransition(_("Tillfället är redan inställt."))
    session.status = Session.Status.CANCELLED
    session.cancel_reason = reason
    session.cancelled_at = now
    session.sequence += 1
    session.save(update_fields=["status", "cancel_reason", "cancelled_at", "sequence", "updated_at"])
    messages.notify_session_cancelled(session)
    event_audit(
        actor=actor,
        action="session_cancelled",
        obj=session,
        from_status=Session.Status.SCHEDULED,
        to_status=session.status,
        reason=reason,
    )
    return session
