"""LOCKING A ROOM: the one locker for every writer that checks a room's calendar (events and
sessions created, moved or given a room; a visit accepted), so that two writers at the same
time cannot both find the room free. Locked last, after the writer's own rows and the
creators' (booking.services.availability's lock order); on SQLite the IMMEDIATE transaction
already serialises the writers."""

from booking.models import Room


def room_lock(room: Room | int | None) -> Room | None:
    """The room's row (given as a Room or its id), locked until COMMIT; None for no room."""
    if room is None:
        return None
    room_id = room.pk if isinstance(room, Room) else room
    return Room.objects.select_for_update().get(pk=room_id)
