"""Changing an event (its fields, capacity, room, creators, rule) and cancelling it.

Every change checks its preconditions, runs in one transaction, writes an AuditEvent, and
writes the messages it causes into the outbox in that same transaction. When an event's room
changes, features that were the old room's (exactly) become the new room's, and features
someone chose by hand stay as they are.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from booking import dates, messages
from booking.errors import CapacityBelowTaken, InvalidTransition
from booking.models import Event, Session
from booking.selectors.booking_target import event_books_whole_series
from booking.services import rooms
from booking.services.events.common import (
    creators_ensure_free,
    event_audit,
    invalid,
    manage_check,
    waitlist_serve,
)
from booking.services.events.fields import M2M_FIELDS, SCALAR_FIELDS, relations_set, room_feature_ids
from booking.services.events.recurrence import recurrence_replace
from booking.services.events.texts import sms_title_check, texts_clean
from booking.validation import text_clean

if TYPE_CHECKING:
    from booking.services.events.common import Actor


def _capacity_change(*, event: Event, capacity: int) -> list[Session]:
    """Set the capacity of the sessions that follow the event; return those that grew."""
    grew: list[Session] = []
    sessions = list(
        Session.objects.select_for_update(of=("self",))
        .filter(event=event, capacity_overridden=False, status=Session.Status.SCHEDULED)
        .select_related("room")
        .order_by("pk")
    )
    for session in sessions:
        if capacity < session.seats_taken:
            raise CapacityBelowTaken(
                errors=[
                    {
                        "pointer": "/capacity",
                        "code": "capacity_below_taken",
                        "detail": _("%(taken)s platser är redan bokade till tillfället %(when)s.")
                        % {
                            "taken": session.seats_taken,
                            "when": dates.format_datetime(session.start),
                        },
                    }
                ]
            )
        rooms.room_capacity_check(room=session.room, capacity=capacity)
        if capacity > session.capacity:
            grew.append(session)
    Session.objects.filter(pk__in=[s.pk for s in sessions]).update(
        capacity=capacity, updated_at=timezone.now()
    )
    return grew


@transaction.atomic
def event_update(*, event: Event, actor: Actor, **fields: Any) -> Event:
    """Change an event. Capacity flows to the sessions that don't override it (never below
    their seats taken, never above their room's); a new room moves the sessions held in the
    old room (a move: SEQUENCE grows and bookers are told). Sessions are changed one by one
    with session_move."""
    event = Event.objects.select_for_update(of=("self",)).select_related("room").get(pk=event.pk)
    manage_check(actor=actor, library_id=event.library_id)
    if event.status == Event.Status.CANCELLED:
        raise InvalidTransition(_("Evenemanget är inställt och kan inte ändras."))
    allowed = set(SCALAR_FIELDS) | set(M2M_FIELDS) | {"capacity", "room", "status", "recurrence"}
    recurrence = fields.pop("recurrence", None)
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"event_update got unknown fields: {sorted(unknown)}")

    before = {name: getattr(event, name) for name in (*SCALAR_FIELDS, "capacity", "room_id", "status")}
    texts_clean(fields)
    if fields.get("sms_title") and (reason := sms_title_check(fields["sms_title"])):
        raise invalid("/sms_title", "invalid_sms_title", reason)
    if "status" in fields and fields["status"] != event.status:
        allowed_moves = {
            Event.Status.DRAFT: {Event.Status.PUBLISHED},
            Event.Status.PUBLISHED: {Event.Status.DRAFT, Event.Status.COMPLETED},
            Event.Status.COMPLETED: {Event.Status.PUBLISHED},
        }
        if fields["status"] not in allowed_moves.get(event.status, set()):
            raise InvalidTransition(
                errors=[
                    {
                        "pointer": "/status",
                        "code": "invalid_transition",
                        "detail": _(
                            "Statusen kan inte ändras från %(from)s till %(to)s; använd avbokning för att ställa in."
                        )
                        % {"from": event.status, "to": fields["status"]},
                    }
                ]
            )

    room_changed = "room" in fields and (fields["room"].pk if fields["room"] else None) != event.room_id
    new_room = fields.get("room", event.room)
    if new_room is not None and new_room.library_id != event.library_id:
        raise invalid("/room", "room_not_in_library", _("Lokalen hör inte till biblioteket."))
    capacity = fields.get("capacity", event.capacity)
    if capacity is None or capacity < 1:
        raise invalid("/capacity", "invalid", _("Antalet platser måste vara minst 1."))
    rooms.room_capacity_check(room=new_room, capacity=capacity)

    moved: list[Session] = []
    moving: list[Session] = []
    if room_changed:
        moving = list(
            Session.objects.select_for_update()
            .filter(event=event, status=Session.Status.SCHEDULED, room_id=event.room_id)
            .order_by("start")
        )
    if fields.get("creators") is not None:
        # Creators who join the event must be free at its sessions still to come.
        current = set(event.creators.values_list("pk", flat=True))
        given = [getattr(creator, "pk", creator) for creator in fields["creators"]]
        joining = [(index, pk) for index, pk in enumerate(given) if pk not in current]
        if joining:
            upcoming = list(
                Session.objects.select_for_update()
                .filter(event=event, status=Session.Status.SCHEDULED, end__gt=timezone.now())
                .order_by("start")
            )
            creators_ensure_free(
                creators=[pk for _index, pk in joining],
                times=[(s.start, s.end) for s in upcoming],
                event=event,
                library=event.library,
                pointers=[f"/creators/{index}" for index, _pk in joining],
            )
    features_follow_room = (
        room_changed
        and fields.get("accessibility_features") is None
        and set(event.accessibility_features.values_list("pk", flat=True)) == room_feature_ids(event.room)
    )
    if room_changed:
        if new_room is not None:
            rooms.room_lock(room=new_room)
            pairs = [(s.start, s.end) for s in moving]
            rooms.rooms_ensure_free(
                room=new_room, times=pairs, pointer="/sessions", exclude_session_ids=[s.pk for s in moving]
            )
            for session in moving:
                if session.capacity_overridden:
                    rooms.room_capacity_check(room=new_room, capacity=session.capacity, pointer="/room")
        for session in moving:
            session.room = new_room
            session.sequence = F("sequence") + 1
            session.save(update_fields=["room", "sequence", "updated_at"])
            session.refresh_from_db(fields=["sequence"])
            moved.append(session)

    grew: list[Session] = []
    if capacity != event.capacity:
        grew = _capacity_change(event=event, capacity=capacity)

    relations = {name: fields.pop(name) for name in M2M_FIELDS if name in fields}
    for name, value in fields.items():
        if name == "room":
            event.room = value
        else:
            setattr(event, name, value)
    event.save()
    if features_follow_room:
        relations["accessibility_features"] = list(room_feature_ids(new_room))
    relations_set(event=event, relations=relations)

    for session in moved:
        messages.notify_session_moved(session)
    if grew:
        if event_books_whole_series(event):
            waitlist_serve(event=event)
        else:
            for session in grew:
                waitlist_serve(session=session)

    after = {name: getattr(event, name) for name in before}
    changed = {name: [str(before[name]), str(after[name])] for name in before if before[name] != after[name]}
    if relations:
        changed.update(dict.fromkeys(relations, "changed"))
    if recurrence:
        recurrence_replace(event=event, actor=actor, recurrence=recurrence)
    event_audit(
        actor=actor,
        action="event_updated",
        obj=event,
        from_status=before["status"],
        to_status=event.status,
        data={"changed": changed, "sessions_moved": [s.pk for s in moved]},
    )
    return event


@transaction.atomic
def event_cancel(*, event: Event, actor: Actor, reason: str = "", now: datetime | None = None) -> Event:
    """Cancel an event and all its scheduled sessions; every booker is told (outbox). Bookings
    keep their status (statistics count them); the sessions show as cancelled in the feeds."""
    reason = text_clean(reason, pointer="/reason", max_length=1000, multiline=True)
    now = now or timezone.now()
    event = Event.objects.select_for_update().get(pk=event.pk)
    manage_check(actor=actor, library_id=event.library_id)
    if event.status == Event.Status.CANCELLED:
        raise InvalidTransition(_("Evenemanget är redan inställt."))
    previous = event.status
    event.status = Event.Status.CANCELLED
    event.cancel_reason = reason
    event.cancelled_at = now
    event.save(update_fields=["status", "cancel_reason", "cancelled_at", "updated_at"])
    Session.objects.filter(event=event, status=Session.Status.SCHEDULED).update(
        status=Session.Status.CANCELLED,
        cancel_reason=reason,
        cancelled_at=now,
        sequence=F("sequence") + 1,
        updated_at=now,
    )
    messages.notify_event_cancelled(event)
    event_audit(
        actor=actor,
        action="event_cancelled",
        obj=event,
        from_status=previous,
        to_status=event.status,
        reason=reason,
    )
    return event
