"""A reading circle's rule: stored with its event, and replaced by a new one. Expanding a rule
into sessions is booking.services.recurrence."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking import messages
from booking.errors import InvalidTransition
from booking.models import Event, Session
from booking.services import rooms
from booking.services.events.common import creators_ensure_free, event_audit, manage_check
from booking.services.events.times import time_check
from booking.services.recurrence import localise, recurrence_expand, to_local_naive

if TYPE_CHECKING:
    from booking.services.events.common import Actor


def recurrence_fields(*, recurrence: dict) -> dict:
    """The event's stored rule, as its editor shows it again."""
    exdates = list(recurrence.get("exdates") or ())
    return {
        "recurrence_rule": recurrence["rrule"].strip(),
        # For the editor: dtstart as an aware time (show it in local time), exdates as the
        # local wall-clock strings they were given as.
        "recurrence_dtstart": localise(to_local_naive(recurrence["dtstart"])),
        "recurrence_duration": recurrence["duration"],
        "recurrence_exdates": [to_local_naive(value).isoformat() for value in exdates],
    }


@transaction.atomic
def recurrence_replace(*, event: Event, actor: Actor, recurrence: dict, now: datetime | None = None) -> dict:
    """A reading circle's new rule. Sessions still to come that the new rule keeps stay (with
    their UID and bookings; a new length is a move); those it drops are cancelled, never
    deleted, so feeds and bookers see it; new times become new sessions. Past sessions stay."""
    now = now or timezone.now()
    event = Event.objects.select_for_update(of=("self",)).select_related("room").get(pk=event.pk)
    manage_check(actor=actor, library_id=event.library_id)
    if event.status == Event.Status.CANCELLED:
        raise InvalidTransition(_("Evenemanget är inställt och kan inte ändras."))
    pairs = recurrence_expand(
        rrule=recurrence["rrule"],
        dtstart=recurrence["dtstart"],
        duration=recurrence["duration"],
        exdates=list(recurrence.get("exdates") or ()),
    )
    for start, end in pairs:
        if start >= now:
            time_check(start=start, end=end, pointer="/recurrence", now=now)
    wanted = {start: end for start, end in pairs if start >= now}
    current = list(
        Session.objects.select_for_update()
        .filter(event=event, status=Session.Status.SCHEDULED, start__gte=now)
        .order_by("start")
    )
    kept = [s for s in current if s.start in wanted]
    dropped = [s for s in current if s.start not in wanted]
    kept_starts = {s.start for s in kept}
    added = [(start, end) for start, end in wanted.items() if start not in kept_starts]
    room = event.room
    creators = list(event.creators.values_list("pk", flat=True))
    creators_ensure_free(
        creators=creators,
        times=added + [(s.start, wanted[s.start]) for s in kept if s.end != wanted[s.start]],
        event=event,
        library=event.library,
        pointers=["/recurrence"] * len(creators),
        exclude_session_ids=[s.pk for s in current],
    )
    rooms.room_lock(room=room)
    rooms.rooms_ensure_free(
        room=room,
        times=[(s.start, wanted[s.start]) for s in kept if s.room_id == event.room_id] + added,
        pointer="/recurrence/sessions",
        exclude_session_ids=[s.pk for s in current],
    )
    for session in dropped:
        session.status = Session.Status.CANCELLED
        session.cancel_reason = str(_("Borttaget ur schemat."))
        session.cancelled_at = now
        session.sequence += 1
        session.save(update_fields=["status", "cancel_reason", "cancelled_at", "sequence", "updated_at"])
        messages.notify_session_cancelled(session)
    for session in kept:
        if session.end != wanted[session.start]:
            session.end = wanted[session.start]
            session.sequence += 1
            session.save(update_fields=["end", "sequence", "updated_at"])
            messages.notify_session_moved(session)
    Session.objects.bulk_create(
        [
            Session(event=event, start=start, end=end, room=room, capacity=event.capacity)
            for start, end in added
        ]
    )
    for name, value in recurrence_fields(recurrence=recurrence).items():
        setattr(event, name, value)
    event.save()
    summary = {"kept": len(kept), "cancelled": [s.pk for s in dropped], "added": len(added)}
    event_audit(actor=actor, action="recurrence_replaced", obj=event, data=summary)
    return summary
