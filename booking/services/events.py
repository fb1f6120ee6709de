"""Writing events and sessions: create, change, move, cancel.

Every change checks its preconditions, runs in one transaction, writes an AuditEvent, and
writes the messages it causes into the outbox in that same transaction. Rooms are locked
(select_for_update) before their calendar is checked, so two staff members cannot put two
sessions in one room at the same time; on SQLite the IMMEDIATE transaction already serialises.

A creator is never in two places at once: creating an event with creators, adding creators
to an event, a new reading-circle rule and moving a session check the creators' other
sessions, the travel time between municipalities and their unavailable dates
(booking.services.availability), with the creators' rows locked first — the same lock order
as accepting a visit: own rows (event, sessions), then creators (by id), then the room.

An event's accessibility features are its venue's unless the caller says otherwise: an event
created with a room and without `accessibility_features` gets the room's; when its room
changes, features that were the old room's (exactly) become the new room's, and features
someone chose by hand stay as they are.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from booking import messages
from booking.access import can_manage_library
from booking.errors import (
    CapacityBelowTaken,
    InvalidInput,
    InvalidTransition,
    PermissionDenied,
    RoomTaken,
)
from booking.models import Event, Library, Room, Session
from booking.services.audit import audit_record
from booking.services.gsm import is_gsm7_char, septets
from booking.services.recurrence import MAX_SESSIONS, localise, recurrence_expand, to_local_naive
from booking.validation import text_clean

__all__ = [
    "event_cancel",
    "event_create",
    "event_update",
    "recurrence_expand",
    "recurrence_replace",
    "room_is_free",
    "session_cancel",
    "session_move",
    "sessions_add",
    "sms_title_check",
]

SMS_TITLE_MAX = 40

SCALAR_FIELDS = (
    "attendance_mode",
    "online_url",  # never public: booking.selectors.online
    "kind",
    "title",
    "description",
    "content_language",
    "title_sv",
    "description_sv",
    "title_en",
    "description_en",
    "sms_title",
    "max_seats_per_booking",
    "booking_opens",
    "booking_closes_before",
    "waitlist_mode",
    "booking_mode",
    "visibility",
    "easy_to_read",
)
M2M_FIELDS = ("audiences", "languages", "priority_groups", "accessibility_features", "creators")


def _invalid(pointer: str, code: str, detail: str) -> InvalidInput:
    return InvalidInput(errors=[{"pointer": pointer, "code": code, "detail": detail}])


def sms_title_check(value: str) -> str | None:
    """The reason a short SMS title is refused, or None. GSM-7 only (so an SMS stays one
    160-character segment instead of 70), at most 40 characters; newlines are refused."""
    if any(char in "\n\r\f" for char in value):
        return _("Den korta titeln får inte innehålla radbrytningar.")
    bad = sorted({char for char in value if not is_gsm7_char(char)})
    if bad:
        return _("Tecknen %(chars)s går inte att skicka i ett vanligt sms (GSM-7).") % {
            "chars": " ".join(bad)
        }
    if septets(value) > SMS_TITLE_MAX:
        return _("Den korta titeln får vara högst %(max)s tecken.") % {"max": SMS_TITLE_MAX}
    return None


def _audit(actor, action: str, obj, *, from_status="", to_status="", reason="", data=None) -> None:
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


def _check_may_manage(actor, library_id: int) -> None:
    if actor is not None and not can_manage_library(actor, library_id):
        raise PermissionDenied()


def _waitlist_fill(*, session=None, event=None) -> None:
    """Give freed seats to the waitlist, in this transaction (booking.services.waitlist)."""
    from booking.services.waitlist import waitlist_fill  # imported late: waitlist imports models only

    waitlist_fill(session=session, event=event)


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


def _lock_room(room: Room | None) -> None:
    if room is not None:
        Room.objects.select_for_update().filter(pk=room.pk).first()


def _room_taken(pointer: str) -> RoomTaken:
    return RoomTaken(errors=[{"pointer": pointer, "code": "room_taken", "detail": str(RoomTaken.message)}])


def _check_room_capacity(room: Room | None, capacity: int, pointer: str = "/capacity") -> None:
    if room is not None and capacity > room.capacity:
        raise _invalid(
            pointer,
            "above_room_capacity",
            _("Lokalen %(room)s har bara %(max)s platser.") % {"room": room.name, "max": room.capacity},
        )


# Sessions lie within a year back and three years ahead: enough for entering last term and
# planning the next ones, and never a date the calendar writers cannot handle (year 9999).
SESSION_YEARS_BACK = 1
SESSION_YEARS_AHEAD = 3


def session_date_window(now: datetime | None = None) -> tuple[datetime, datetime]:
    """The earliest and latest start a session may have, around `now`."""
    now = now or timezone.now()
    return now - timedelta(days=366 * SESSION_YEARS_BACK), now + timedelta(days=366 * SESSION_YEARS_AHEAD)


def _check_time(start: datetime, end: datetime, pointer: str, *, now: datetime | None = None) -> None:
    if not isinstance(start, datetime) or not isinstance(end, datetime):
        raise _invalid(f"{pointer}/start", "invalid", _("Tiden måste anges med tidszon."))
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise _invalid(f"{pointer}/start", "invalid", _("Tiden måste anges med tidszon."))
    earliest, latest = session_date_window(now)
    if not earliest <= start <= latest:
        raise _invalid(
            f"{pointer}/start",
            "start_out_of_range",
            _("Ett tillfälle kan ligga högst ett år bakåt och tre år framåt i tiden."),
        )
    if end <= start:
        raise _invalid(f"{pointer}/end", "end_before_start", _("Slutet måste vara efter starten."))
    if end - start > timedelta(days=1):
        raise _invalid(f"{pointer}/end", "too_long", _("Ett tillfälle kan vara högst ett dygn."))


def _check_rooms_free(room: Room | None, pairs, *, pointer: str, exclude_ids=()) -> None:
    """The room is free at every time, and the new sessions do not overlap each other."""
    if room is None:
        return
    ordered = sorted(enumerate(pairs), key=lambda item: item[1][0])
    for (_i, (_s, previous_end)), (index, (start, _e)) in zip(ordered, ordered[1:], strict=False):
        if start < previous_end:
            raise _room_taken(f"{pointer}/{index}/start")
    for index, (start, end) in enumerate(pairs):
        if not room_is_free(room=room, start=start, end=end, exclude_session_ids=exclude_ids):
            raise _room_taken(f"{pointer}/{index}/start")


def _creators_ensure_free(
    creators,
    times,
    *,
    event: Event | None = None,
    library: Library,
    pointers: list[str] | None = None,
    exclude_session_ids=(),
) -> None:
    """Lock the creators' rows (by id), then check each is free at every time; else 409
    creator_unavailable. `creators`: Creator objects or ids."""
    from booking.services import availability  # imported late: availability imports this module

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


# The event's free texts: single-line titles, multi-line descriptions (text_clean decides).
_SINGLE_LINE_TEXTS = ("title", "title_sv", "title_en", "sms_title")
_MULTI_LINE_TEXTS = ("description", "description_sv", "description_en")


def _texts_clean(fields: dict) -> dict:
    """The event's texts in `fields`, cleaned by the one text cleaner (errors at their pointers)."""
    for name in (*_SINGLE_LINE_TEXTS, *_MULTI_LINE_TEXTS):
        if fields.get(name):
            max_length = Event._meta.get_field(name).max_length or 20_000
            fields[name] = text_clean(
                fields[name], pointer=f"/{name}", max_length=max_length, multiline=name in _MULTI_LINE_TEXTS
            )
    return fields


def _room_feature_ids(room: Room | None) -> set[int]:
    return set(room.accessibility_features.values_list("pk", flat=True)) if room is not None else set()


def _set_relations(event: Event, fields: dict) -> None:
    for name in M2M_FIELDS:
        if name in fields and fields[name] is not None:
            getattr(event, name).set(fields[name])


@transaction.atomic
def event_create(
    *,
    actor,
    library: Library,
    kind: str,
    title: str,
    capacity: int,
    room: Room | None = None,
    sessions: list[dict] | None = None,
    recurrence: dict | None = None,
    status: str = Event.Status.PUBLISHED,
    **fields,
) -> Event:
    """Create an event and its sessions: either `sessions` ([{start, end}], aware) or
    `recurrence` ({rrule, dtstart, duration, exdates}, local naive times)."""
    _check_may_manage(actor, library.pk)
    unknown = set(fields) - set(SCALAR_FIELDS) - set(M2M_FIELDS)
    if unknown:
        raise TypeError(f"event_create got unknown fields: {sorted(unknown)}")
    if status not in (Event.Status.DRAFT, Event.Status.PUBLISHED):
        raise _invalid("/status", "invalid_choice", _("Ett nytt evenemang är ett utkast eller publicerat."))
    if room is not None and room.library_id != library.pk:
        raise _invalid("/room", "room_not_in_library", _("Lokalen hör inte till biblioteket."))
    if capacity is None or capacity < 1:
        raise _invalid("/capacity", "invalid", _("Antalet platser måste vara minst 1."))
    _check_room_capacity(room, capacity)
    title = _texts_clean({"title": title})["title"]
    _texts_clean(fields)
    if fields.get("sms_title") and (reason := sms_title_check(fields["sms_title"])):
        raise _invalid("/sms_title", "invalid_sms_title", reason)

    if bool(sessions) == bool(recurrence):
        raise _invalid(
            "/sessions",
            "sessions_or_recurrence",
            _("Ange antingen tillfällen (sessions) eller en upprepningsregel (recurrence)."),
        )
    recurrence_fields: dict = {}
    if recurrence:
        pairs = recurrence_expand(
            rrule=recurrence["rrule"],
            dtstart=recurrence["dtstart"],
            duration=recurrence["duration"],
            exdates=list(recurrence.get("exdates") or ()),
        )
        pointer = "/recurrence"
        recurrence_fields = _recurrence_fields(recurrence)
        for start, end in pairs:
            _check_time(start, end, pointer)
    else:
        if len(sessions) > MAX_SESSIONS:
            raise _invalid(
                "/sessions",
                "too_many_sessions",
                _("Högst %(max)s tillfällen.") % {"max": MAX_SESSIONS},
            )
        pairs = [(item.get("start"), item.get("end")) for item in sessions]
        pointer = "/sessions"
        for index, (start, end) in enumerate(pairs):
            _check_time(start, end, f"{pointer}/{index}")

    _creators_ensure_free(fields.get("creators"), pairs, library=library)
    _lock_room(room)
    _check_rooms_free(room, pairs, pointer=pointer if not recurrence else "/recurrence/sessions")

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
        **recurrence_fields,
    )
    _set_relations(event, relations)
    Session.objects.bulk_create(
        [Session(event=event, start=start, end=end, room=room, capacity=capacity) for start, end in pairs]
    )
    _audit(actor, "event_created", event, to_status=status, data={"sessions": len(pairs)})
    return event


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
                            "when": timezone.localtime(session.start).strftime("%Y-%m-%d %H:%M"),
                        },
                    }
                ]
            )
        _check_room_capacity(session.room, capacity)
        if capacity > session.capacity:
            grew.append(session)
    Session.objects.filter(pk__in=[s.pk for s in sessions]).update(
        capacity=capacity, updated_at=timezone.now()
    )
    return grew


@transaction.atomic
def event_update(*, event: Event, actor, **fields) -> Event:
    """Change an event. Capacity flows to the sessions that don't override it (never below
    their seats taken, never above their room's); a new room moves the sessions held in the
    old room (a move: SEQUENCE grows and bookers are told). Sessions are changed one by one
    with session_move."""
    event = Event.objects.select_for_update(of=("self",)).select_related("room").get(pk=event.pk)
    _check_may_manage(actor, event.library_id)
    if event.status == Event.Status.CANCELLED:
        raise InvalidTransition(_("Evenemanget är inställt och kan inte ändras."))
    allowed = set(SCALAR_FIELDS) | set(M2M_FIELDS) | {"capacity", "room", "status", "recurrence"}
    recurrence = fields.pop("recurrence", None)
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"event_update got unknown fields: {sorted(unknown)}")

    before = {name: getattr(event, name) for name in (*SCALAR_FIELDS, "capacity", "room_id", "status")}
    _texts_clean(fields)
    if fields.get("sms_title") and (reason := sms_title_check(fields["sms_title"])):
        raise _invalid("/sms_title", "invalid_sms_title", reason)
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
        raise _invalid("/room", "room_not_in_library", _("Lokalen hör inte till biblioteket."))
    capacity = fields.get("capacity", event.capacity)
    if capacity is None or capacity < 1:
        raise _invalid("/capacity", "invalid", _("Antalet platser måste vara minst 1."))
    _check_room_capacity(new_room, capacity)

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
            _creators_ensure_free(
                [pk for _index, pk in joining],
                [(s.start, s.end) for s in upcoming],
                event=event,
                library=event.library,
                pointers=[f"/creators/{index}" for index, _pk in joining],
            )
    features_follow_room = (
        room_changed
        and fields.get("accessibility_features") is None
        and set(event.accessibility_features.values_list("pk", flat=True)) == _room_feature_ids(event.room)
    )
    if room_changed:
        if new_room is not None:
            _lock_room(new_room)
            pairs = [(s.start, s.end) for s in moving]
            _check_rooms_free(new_room, pairs, pointer="/sessions", exclude_ids=[s.pk for s in moving])
            for session in moving:
                if session.capacity_overridden:
                    _check_room_capacity(new_room, session.capacity, pointer="/room")
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
        relations["accessibility_features"] = list(_room_feature_ids(new_room))
    _set_relations(event, relations)

    for session in moved:
        messages.notify_session_moved(session)
    if grew:
        if event.booking_mode == Event.BookingMode.SERIES:
            _waitlist_fill(event=event)
        else:
            for session in grew:
                _waitlist_fill(session=session)

    after = {name: getattr(event, name) for name in before}
    changed = {name: [str(before[name]), str(after[name])] for name in before if before[name] != after[name]}
    if relations:
        changed.update(dict.fromkeys(relations, "changed"))
    if recurrence:
        recurrence_replace(event=event, actor=actor, recurrence=recurrence)
    _audit(
        actor,
        "event_updated",
        event,
        from_status=before["status"],
        to_status=event.status,
        data={"changed": changed, "sessions_moved": [s.pk for s in moved]},
    )
    return event


def _recurrence_fields(recurrence: dict) -> dict:
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
def recurrence_replace(*, event: Event, actor, recurrence: dict, now: datetime | None = None) -> dict:
    """A reading circle's new rule. Sessions still to come that the new rule keeps stay (with
    their UID and bookings; a new length is a move); those it drops are cancelled, never
    deleted, so feeds and bookers see it; new times become new sessions. Past sessions stay."""
    now = now or timezone.now()
    event = Event.objects.select_for_update(of=("self",)).select_related("room").get(pk=event.pk)
    _check_may_manage(actor, event.library_id)
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
            _check_time(start, end, "/recurrence", now=now)
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
    _creators_ensure_free(
        creators,
        added + [(s.start, wanted[s.start]) for s in kept if s.end != wanted[s.start]],
        event=event,
        library=event.library,
        pointers=["/recurrence"] * len(creators),
        exclude_session_ids=[s.pk for s in current],
    )
    _lock_room(room)
    _check_rooms_free(
        room,
        [(s.start, wanted[s.start]) for s in kept if s.room_id == event.room_id] + added,
        pointer="/recurrence/sessions",
        exclude_ids=[s.pk for s in current],
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
    for name, value in _recurrence_fields(recurrence).items():
        setattr(event, name, value)
    event.save()
    summary = {"kept": len(kept), "cancelled": [s.pk for s in dropped], "added": len(added)}
    _audit(actor, "recurrence_replaced", event, data=summary)
    return summary


@transaction.atomic
def event_cancel(*, event: Event, actor, reason: str = "", now: datetime | None = None) -> Event:
    """Cancel an event and all its scheduled sessions; every booker is told (outbox). Bookings
    keep their status (statistics count them); the sessions show as cancelled in the feeds."""
    reason = text_clean(reason, pointer="/reason", max_length=1000, multiline=True)
    now = now or timezone.now()
    event = Event.objects.select_for_update().get(pk=event.pk)
    _check_may_manage(actor, event.library_id)
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
    _audit(actor, "event_cancelled", event, from_status=previous, to_status=event.status, reason=reason)
    return event


@transaction.atomic
def sessions_add(*, event: Event, actor, sessions: list[dict]) -> list[Session]:
    """New sessions ([{start, end}], aware) for an existing event, in its room and with its
    capacity, checked as when the event was created: times, its creators free, the room free.
    Nobody is told: nobody has booked them yet."""
    event = Event.objects.select_for_update(of=("self",)).select_related("room", "library").get(pk=event.pk)
    _check_may_manage(actor, event.library_id)
    if event.status == Event.Status.CANCELLED:
        raise InvalidTransition(_("Evenemanget är inställt och kan inte ändras."))
    if len(sessions) > MAX_SESSIONS:
        raise _invalid(
            "/sessions", "too_many_sessions", _("Högst %(max)s tillfällen.") % {"max": MAX_SESSIONS}
        )
    pairs = [(item.get("start"), item.get("end")) for item in sessions]
    for index, (start, end) in enumerate(pairs):
        _check_time(start, end, f"/sessions/{index}")
    creators = list(event.creators.values_list("pk", flat=True))
    _creators_ensure_free(
        creators, pairs, event=event, library=event.library, pointers=["/sessions"] * len(creators)
    )
    _lock_room(event.room)
    _check_rooms_free(event.room, pairs, pointer="/sessions")
    added = Session.objects.bulk_create(
        [
            Session(event=event, start=start, end=end, room=event.room, capacity=event.capacity)
            for start, end in pairs
        ]
    )
    _audit(actor, "sessions_added", event, data={"sessions": [s.start.isoformat() for s in added]})
    return added


@transaction.atomic
def session_move(
    *,
    session: Session,
    actor,
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
    _check_may_manage(actor, event.library_id)
    if session.status == Session.Status.CANCELLED or event.status == Event.Status.CANCELLED:
        raise InvalidTransition(_("Tillfället är inställt och kan inte flyttas."))

    new_start = start or session.start
    new_end = end or session.end
    if start is not None and end is None:
        new_end = start + (session.end - session.start)  # moving the start keeps the length
    _check_time(new_start, new_end, "")
    new_room = None if clear_room else (room or session.room)
    if new_room is not None and new_room.library_id != event.library_id:
        raise _invalid("/room", "room_not_in_library", _("Lokalen hör inte till biblioteket."))
    new_capacity = capacity if capacity is not None else session.capacity
    if new_capacity < 1:
        raise _invalid("/capacity", "invalid", _("Antalet platser måste vara minst 1."))
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
    _check_room_capacity(new_room, new_capacity, pointer="/capacity" if capacity is not None else "/room")

    time_changed = new_start != session.start or new_end != session.end
    place_changed = (new_room.pk if new_room else None) != session.room_id
    if time_changed:
        # Its creators (a visit's author, a circle's leader) must be free at the new time.
        creators = list(event.creators.values_list("pk", flat=True))
        _creators_ensure_free(
            creators,
            [(new_start, new_end)],
            event=event,
            library=event.library,
            pointers=["/start"] * len(creators),
            exclude_session_ids=[session.pk],
        )
    if new_room is not None and (time_changed or place_changed):
        _lock_room(new_room)
        if not room_is_free(room=new_room, start=new_start, end=new_end, exclude_session_ids=[session.pk]):
            raise _room_taken("/room" if place_changed and not time_changed else "/start")

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
        if event.booking_mode == Event.BookingMode.SERIES:
            _waitlist_fill(event=event)
        else:
            _waitlist_fill(session=session)
    _audit(
        actor,
        "session_moved",
        session,
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
def session_cancel(*, session: Session, actor, reason: str = "", now: datetime | None = None) -> Session:
    """Cancel one session. It keeps its UID (feeds show it as cancelled rather than dropping
    it); SEQUENCE grows, as RFC 5546 asks of a cancellation; its bookers are told."""
    reason = text_clean(reason, pointer="/reason", max_length=1000, multiline=True)
    now = now or timezone.now()
    session = Session.objects.select_for_update(of=("self",)).select_related("event").get(pk=session.pk)
    _check_may_manage(actor, session.event.library_id)
    if session.status == Session.Status.CANCELLED:
        raise InvalidTransition(_("Tillfället är redan inställt."))
    session.status = Session.Status.CANCELLED
    session.cancel_reason = reason
    session.cancelled_at = now
    session.sequence += 1
    session.save(update_fields=["status", "cancel_reason", "cancelled_at", "sequence", "updated_at"])
    messages.notify_session_cancelled(session)
    _audit(
        actor,
        "session_cancelled",
        session,
        from_status=Session.Status.SCHEDULED,
        to_status=session.status,
        reason=reason,
    )
    return session
