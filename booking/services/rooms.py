"""Rooms: a room never holds two scheduled sessions at once, nor more people than it seats.

The events services lock the room (room_lock) before they check its calendar, so that two
staff members cannot put two sessions in one room at the same time; on SQLite the IMMEDIATE
transaction already serialises. Availability asks room_is_free for a visit's room.
"""

from collections.abc import Iterable
from datetime import datetime

from django.utils.translation import gettext as _

from booking.errors import InvalidInput, RoomTaken
from booking.models import Event, Room, Session


def room_is_free(
    *, room: Room, start: datetime, end: datetime, exclude_session_ids: Iterable[int] = ()
) -> bool:
    """A room never holds two scheduled sessions at once (touching end to start is fine)."""
    return not (
        Session.objects.filter(room=room, status=Session.Status.SCHEDULED, start__lt=end, end__gt=start)
        .exclude(event__status=Event.Status.CANCELLED)
        .exclude(pk__in=list(exclude_session_ids))
        .exists()
    )


def room_lock(*, room: Room | int | None) -> Room | None:
    """LOCKING A ROOM, the one locker for every writer that checks a room's calendar (events and
    sessions created, moved or given a room; a visit accepted): the room's row (a Room or its
    id) locked until COMMIT, after the writer's own rows and the creators' (availability's lock
    order); None without a room. On SQLite the IMMEDIATE transaction already serialises."""
    if room is None:
        return None
    return Room.objects.select_for_update().get(pk=room.pk if isinstance(room, Room) else room)


def room_taken(*, pointer: str) -> RoomTaken:
    return RoomTaken(errors=[{"pointer": pointer, "code": "room_taken", "detail": str(RoomTaken.message)}])


def room_capacity_check(*, room: Room | None, capacity: int, pointer: str = "/capacity") -> None:
    """No more seats than the room has; else InvalidInput above_room_capacity."""
    if room is not None and capacity > room.capacity:
        raise InvalidInput(
            errors=[
                {
                    "pointer": pointer,
                    "code": "above_room_capacity",
                    "detail": _("Lokalen %(room)s har bara %(max)s platser.")
                    % {"room": room.name, "max": room.capacity},
                }
            ]
        )


def rooms_ensure_free(
    *,
    room: Room | None,
    times: list[tuple[datetime, datetime]],
    pointer: str,
    exclude_session_ids: Iterable[int] = (),
) -> None:
    """The room is free at every one of `times`, and the new times do not overlap each other;
    else RoomTaken at `pointer`/<index>/start. Lock the room first (room_lock)."""
    if room is None:
        return
    ordered = sorted(enumerate(times), key=lambda item: item[1][0])
    for (_i, (_s, previous_end)), (index, (start, _e)) in zip(ordered, ordered[1:], strict=False):
        if start < previous_end:
            raise room_taken(pointer=f"{pointer}/{index}/start")
    for index, (start, end) in enumerate(times):
        if not room_is_free(room=room, start=start, end=end, exclude_session_ids=exclude_session_ids):
            raise room_taken(pointer=f"{pointer}/{index}/start")
