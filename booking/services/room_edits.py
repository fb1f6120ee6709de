"""A library's rooms: name, capacity and accessibility, added and changed by the library's
staff and the region's organisers. The staff page, the admin and any other face save through
room_create and room_update, so the one rule holds everywhere: a room's capacity is never
lowered below the capacity of an event or a session still to come that uses it (a 409
`capacity_below_taken` naming those events). Every change is audited.
"""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.access import can_manage_library
from booking.errors import CapacityBelowTaken, InvalidInput, PermissionDenied
from booking.models import Event, Library, Room, Session, VenueFeature
from booking.services.audit import audit_record
from booking.services.libraries import url_clean
from booking.validation import text_clean

__all__ = ["room_capacity_conflicts", "room_create", "room_update"]

NAME_MAX_LENGTH = 120
CAPACITY_MAX = 10_000
NAMED_EVENTS_MAX = 10


def _invalid(pointer: str, code: str, detail: str) -> InvalidInput:
    return InvalidInput(errors=[{"pointer": pointer, "code": code, "detail": detail}])


def _check_may_manage(actor, library_id: int) -> None:
    if not can_manage_library(actor, library_id):
        raise PermissionDenied()


def room_capacity_conflicts(*, room: Room, capacity: int, now=None) -> list[tuple[Event, int]]:
    """The events (with the largest capacity each asks of this room) that would no longer fit
    in it with `capacity` places: not cancelled, with a scheduled session still to come in this
    room, or this room as their own and a session still to come."""
    now = now or timezone.now()
    coming = Session.objects.filter(status=Session.Status.SCHEDULED, end__gt=now)
    sessions = coming.filter(room=room, capacity__gt=capacity).exclude(event__status=Event.Status.CANCELLED)
    needs: dict[int, int] = {}
    for event_id, seats in sessions.values_list("event_id", "capacity"):
        needs[event_id] = max(needs.get(event_id, 0), seats)
    own = (
        Event.objects.filter(room=room, capacity__gt=capacity)
        .exclude(status=Event.Status.CANCELLED)
        .filter(Q(pk__in=coming.values("event_id")) | ~Q(pk__in=Session.objects.values("event_id")))
    )
    for event_id, seats in own.values_list("pk", "capacity"):
        needs[event_id] = max(needs.get(event_id, 0), seats)
    events = Event.objects.in_bulk(list(needs))
    return sorted(
        ((events[pk], seats) for pk, seats in needs.items()), key=lambda pair: (-pair[1], pair[0].pk)
    )


def _capacity_clean(raw) -> int:
    try:
        capacity = int(raw)
    except (TypeError, ValueError):
        raise _invalid("/capacity", "invalid", _("Skriv antalet platser som ett heltal.")) from None
    if isinstance(raw, bool) or capacity < 1:
        raise _invalid("/capacity", "invalid", _("Antalet platser måste vara minst 1."))
    if capacity > CAPACITY_MAX:
        raise _invalid("/capacity", "invalid", _("Högst %(max)s platser.") % {"max": CAPACITY_MAX})
    return capacity


def _name_clean(raw, *, library_id: int, room_id: int | None) -> str:
    name = " ".join(text_clean(raw, pointer="/name", max_length=NAME_MAX_LENGTH).split())
    if not name:
        raise _invalid("/name", "blank", _("Skriv lokalens namn."))
    taken = Room.objects.filter(library_id=library_id, name__iexact=name).exclude(pk=room_id).exists()
    if taken:
        raise _invalid("/name", "room_name_taken", _("Biblioteket har redan en lokal med det namnet."))
    return name


def _features_clean(codes) -> list[VenueFeature]:
    wanted = {getattr(code, "code", code) for code in codes}
    found = list(VenueFeature.objects.filter(code__in=wanted))
    unknown = wanted - {feature.code for feature in found}
    if unknown:
        raise _invalid(
            "/accessibility_features",
            "unknown_code",
            _("Okänd tillgänglighetskod: %(codes)s") % {"codes": ", ".join(sorted(map(str, unknown)))},
        )
    return found


def _url_clean(raw) -> str:
    return url_clean(raw, pointer="/accessibility_url")


def _refuse_conflicts(conflicts: list[tuple[Event, int]], capacity: int) -> None:
    names = [f"{event.title} ({seats})" for event, seats in conflicts[:NAMED_EVENTS_MAX]]
    more = len(conflicts) - len(names)
    listing = ", ".join(names) + (_(" och %(n)s till") % {"n": more} if more > 0 else "")
    detail = _(
        "Lokalen används av evenemang med fler än %(capacity)s platser: %(events)s. "
        "Minska deras platser eller flytta dem först."
    ) % {"capacity": capacity, "events": listing}
    raise CapacityBelowTaken(
        detail,
        errors=[
            {
                "pointer": "/capacity",
                "code": "capacity_below_taken",
                "detail": detail,
                "events": [event.pk for event, _seats in conflicts],
            }
        ],
    )


def _snapshot(room: Room) -> dict:
    return {
        "name": room.name,
        "capacity": room.capacity,
        "accessibility_features": sorted(room.accessibility_features.values_list("code", flat=True)),
        "accessibility_description": room.accessibility_description,
        "accessibility_url": room.accessibility_url,
        "is_active": room.is_active,
    }


@transaction.atomic
def room_create(
    *,
    library: Library,
    actor,
    name: str,
    capacity,
    accessibility_features=(),
    accessibility_description: str = "",
    accessibility_url: str = "",
) -> Room:
    _check_may_manage(actor, library.pk)
    Library.objects.select_for_update().filter(pk=library.pk).first()  # one new name at a time
    errors: list[dict] = []
    values: dict = {}
    for key, check in (
        ("name", lambda: _name_clean(name, library_id=library.pk, room_id=None)),
        ("capacity", lambda: _capacity_clean(capacity)),
        ("features", lambda: _features_clean(accessibility_features)),
        (
            "accessibility_description",
            lambda: text_clean(
                accessibility_description,
                pointer="/accessibility_description",
                max_length=4000,
                multiline=True,
            ),
        ),
        ("accessibility_url", lambda: _url_clean(accessibility_url)),
    ):
        try:
            values[key] = check()
        except InvalidInput as error:
            errors.extend(error.errors)
    if errors:
        raise InvalidInput(errors=errors)
    features = values.pop("features")
    room = Room.objects.create(library=library, **values)
    room.accessibility_features.set(features)
    audit_record(
        actor=actor, action="room_created", object_type="room", object_id=room.pk, data=_snapshot(room)
    )
    return room


@transaction.atomic
def room_update(
    *,
    room: Room,
    actor,
    name: str | None = None,
    capacity=None,
    accessibility_features=None,
    accessibility_description: str | None = None,
    accessibility_url: str | None = None,
    is_active: bool | None = None,
    now=None,
) -> Room:
    """Change what is given (None: left as it is). The room is locked first, as the events
    services lock it before putting a session in it, so no session grows into it meanwhile."""
    room = Room.objects.select_for_update().get(pk=room.pk)
    _check_may_manage(actor, room.library_id)
    before = _snapshot(room)
    errors: list[dict] = []
    features = None
    checks = []
    if name is not None:
        checks.append(("name", lambda: _name_clean(name, library_id=room.library_id, room_id=room.pk)))
    if capacity is not None:
        checks.append(("capacity", lambda: _capacity_clean(capacity)))
    if accessibility_description is not None:
        checks.append(
            (
                "accessibility_description",
                lambda: text_clean(
                    accessibility_description,
                    pointer="/accessibility_description",
                    max_length=4000,
                    multiline=True,
                ),
            )
        )
    if accessibility_url is not None:
        checks.append(("accessibility_url", lambda: _url_clean(accessibility_url)))
    values: dict = {}
    for key, check in checks:
        try:
            values[key] = check()
        except InvalidInput as error:
            errors.extend(error.errors)
    if accessibility_features is not None:
        try:
            features = _features_clean(accessibility_features)
        except InvalidInput as error:
            errors.extend(error.errors)
    if errors:
        raise InvalidInput(errors=errors)
    new_capacity = values.get("capacity")
    if new_capacity is not None and new_capacity < room.capacity:
        conflicts = room_capacity_conflicts(room=room, capacity=new_capacity, now=now)
        if conflicts:
            _refuse_conflicts(conflicts, new_capacity)
    if is_active is not None:
        values["is_active"] = bool(is_active)
    for key, value in values.items():
        setattr(room, key, value)
    room.save()
    if features is not None:
        room.accessibility_features.set(features)
    after = _snapshot(room)
    changed = [key for key in after if after[key] != before[key]]
    if changed:
        audit_record(
            actor=actor,
            action="room_updated",
            object_type="room",
            object_id=room.pk,
            data={
                "changed": changed,
                "before": {k: before[k] for k in changed},
                "after": {k: after[k] for k in changed},
            },
        )
    return room
