"""Creating an event and its sessions, given one by one or by a reading circle's rule.

Checked as every change is: who may manage, the texts, the times, the creators free (their rows
locked first), the room free (locked after) and big enough. An event created with a room and
without `accessibility_features` gets the room's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from booking.models import Event, Library, Room, Session
from booking.services import rooms
from booking.services.events.common import creators_ensure_free, event_audit, invalid, manage_check
from booking.services.events.fields import M2M_FIELDS, SCALAR_FIELDS, relations_set
from booking.services.events.recurrence import recurrence_fields
from booking.services.events.texts import sms_title_check, texts_clean
from booking.services.events.times import time_check
from booking.services.recurrence import MAX_SESSIONS, recurrence_expand

if TYPE_CHECKING:
    from booking.services.events.common import Actor


@transaction.atomic
def event_create(
    *,
    actor: Actor,
    library: Library,
    kind: str,
    title: str,
    capacity: int,
    room: Room | None = None,
    sessions: list[dict] | None = None,
    recurrence: dict | None = None,
    status: str = Event.Status.PUBLISHED,
    **fields: Any,
) -> Event:
    """Create an event and its sessions: either `sessions` ([{start, end}], aware) or
    `recurrence` ({rrule, dtstart, duration, exdates}, local naive times)."""
    manage_check(actor=actor, library_id=library.pk)
    unknown = set(fields) - set(SCALAR_FIELDS) - set(M2M_FIELDS)
    if unknown:
        raise TypeError(f"event_create got unknown fields: {sorted(unknown)}")
    if status not in (Event.Status.DRAFT, Event.Status.PUBLISHED):
        raise invalid("/status", "invalid_choice", _("Ett nytt evenemang är ett utkast eller publicerat."))
    if room is not None and room.library_id != library.pk:
        raise invalid("/room", "room_not_in_library", _("Lokalen hör inte till biblioteket."))
    if capacity is None or capacity < 1:
        raise invalid("/capacity", "invalid", _("Antalet platser måste vara minst 1."))
    rooms.room_capacity_check(room=room, capacity=capacity)
    title = texts_clean({"title": title})["title"]
    texts_clean(fields)
    if fields.get("sms_title") and (reason := sms_title_check(fields["sms_title"])):
        raise invalid("/sms_title", "invalid_sms_title", reason)

    if bool(sessions) == bool(recurrence):
        raise invalid(
            "/sessions",
            "sessions_or_recurrence",
            _("Ange antingen tillfällen (sessions) eller en upprepningsregel (recurrence)."),
        )
    stored_rule: dict = {}
    if recurrence:
        pairs = recurrence_expand(
            rrule=recurrence["rrule"],
            dtstart=recurrence["dtstart"],
            duration=recurrence["duration"],
            exdates=list(recurrence.get("exdates") or ()),
        )
        pointer = "/recurrence"
        stored_rule = recurrence_fields(recurrence=recurrence)
        for start, end in pairs:
            time_check(start=start, end=end, pointer=pointer)
    else:
        if len(sessions) > MAX_SESSIONS:
            raise invalid(
                "/sessions",
                "too_many_sessions",
                _("Högst %(max)s tillfällen.") % {"max": MAX_SESSIONS},
            )
        pairs = [(item.get("start"), item.get("end")) for item in sessions]
        pointer = "/sessions"
        for index, (start, end) in enumerate(pairs):
            time_check(start=start, end=end, pointer=f"{pointer}/{index}")

    creators_ensure_free(creators=fields.get("creators"), times=pairs, library=library)
    rooms.room_lock(room=room)
    rooms.rooms_ensure_free(
        room=room, times=pairs, pointer=pointer if not recurrence else "/recurrence/sessions"
    )

    relations = {name: fields.pop(name) for name in M2M_FIELDS if name in fields}
    if relations.get("accessibility_features") is None and room is not None:
        relations["accessibility_features"] = list(room.accessibility_features.all())
    event = Event.objects.create(
        library=library,
        room=room,
        kind=kind,
        title=title,
        capacity=capacity,
        status=status,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **fields,
        **stored_rule,
    )
    relations_set(event=event, relations=relations)
    Session.objects.bulk_create(
        [Session(event=event, start=start, end=end, room=room, capacity=capacity) for start, end in pairs]
    )
    event_audit(
        actor=actor, action="event_created", obj=event, to_status=status, data={"sessions": len(pairs)}
    )
    return event
