"""Is a creator free to be somewhere at a time? Is a room free?

A creator is never in two places at once: another visit that overlaps, or one that ends too
close to this one for the journey between the two municipalities, is a conflict; so is a date
the creator has marked as unavailable. Travel times come from the region's TravelTime table,
looked up in both directions, with the region's defaults where a pair is missing and within one
municipality. A digital visit needs no travel (but the creator still cannot do two at once). Rooms are
booking.services.rooms.room_is_free.

Callers that write lock the creator's row before the check, so that two writers at the same
time cannot both find the creator free: accepting a visit (visit_requests), creating an event
with creators, adding creators to an event, a reading circle's new rule, and moving a session
(events). One lock order everywhere, so that no two of them wait on each other in a circle:
the writer's own rows first (the request, the event, the session), then the creators' rows
(lock_creators: by id), then the room's (booking.services.rooms.room_lock).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from booking import dates
from booking.errors import CreatorUnavailable, RoomTaken
from booking.models import (
    Creator,
    CreatorUnavailability,
    Event,
    Municipality,
    Room,
    Session,
    TravelTime,
    VisitRequest,
)
from booking.services.rooms import room_is_free

# Visits further apart than this can never conflict, whatever the travel table says.
_SEARCH_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class Conflict:
    kind: str  # "overlap", "travel" or "unavailable"
    detail: str
    session_id: int | None = None


def travel_minutes(*, from_municipality: Municipality, to_municipality: Municipality) -> int:
    """Minutes between two municipalities: the table in either direction, else the defaults."""
    region = to_municipality.region
    if from_municipality.pk == to_municipality.pk:
        return region.same_municipality_travel_minutes
    row = (
        TravelTime.objects.filter(
            Q(from_municipality=from_municipality, to_municipality=to_municipality)
            | Q(from_municipality=to_municipality, to_municipality=from_municipality)
        )
        .order_by("minutes")
        .first()
    )
    return row.minutes if row else region.default_travel_minutes


def _travel_table(municipality: Municipality) -> dict[str, int]:
    """All known travel times from one municipality, in one query."""
    table: dict[str, int] = {}
    rows = TravelTime.objects.filter(
        Q(from_municipality=municipality) | Q(to_municipality=municipality)
    ).values_list("from_municipality_id", "to_municipality_id", "minutes")
    for origin, destination, minutes in rows:
        other = destination if origin == municipality.pk else origin
        table[other] = min(minutes, table.get(other, minutes))
    return table


def event_is_digital(event: Event) -> bool:
    """A digital visit's event: no room, no travel."""
    request = getattr(event, "visit_request", None)
    return request is not None and request.format == VisitRequest.Format.DIGITAL


def _is_digital(session: Session) -> bool:
    return event_is_digital(session.event)


def lock_creator(creator_id: int) -> Creator:
    """The creator's row, locked until COMMIT: writers for one creator check one at a time."""
    return Creator.objects.select_for_update().get(pk=creator_id)


def lock_creators(creator_ids) -> list[Creator]:
    """Several creators' rows, locked in id order (so two writers never lock them crosswise)."""
    return [lock_creator(pk) for pk in sorted({int(pk) for pk in creator_ids})]


class _CreatorCalendar:
    """What keeps one creator busy around a set of times, read once (a reading circle's
    forty sessions are one query each for unavailable dates, sessions and travel times)."""

    def __init__(
        self,
        *,
        creator,
        times,
        municipality: Municipality | None,
        digital: bool,
        exclude_event_ids=(),
        exclude_session_ids=(),
        event_id: int | None = None,
    ):
        self.creator = creator
        self.municipality = municipality
        self.digital = digital
        self.event_id = event_id
        times = list(times)
        first = min(start for start, _end in times)
        last = max(end for _start, end in times)
        self.periods = list(
            CreatorUnavailability.objects.filter(
                creator=creator,
                start_date__lte=timezone.localtime(last).date(),
                end_date__gte=timezone.localtime(first).date(),
            )
        )
        self.nearby = list(
            Session.objects.filter(
                event__creators=creator,
                status=Session.Status.SCHEDULED,
                start__lt=last + _SEARCH_WINDOW,
                end__gt=first - _SEARCH_WINDOW,
            )
            .exclude(event__status=Event.Status.CANCELLED)
            .exclude(event_id__in=list(exclude_event_ids))
            .exclude(pk__in=list(exclude_session_ids))
            .select_related("event__library__municipality", "event__visit_request")
            .distinct()
            .order_by("start", "pk")
        )
        self.table = _travel_table(municipality) if municipality is not None and not digital else {}

    def conflicts(self, start: datetime, end: datetime) -> list[Conflict]:
        creator, municipality = self.creator, self.municipality
        conflicts: list[Conflict] = []
        first_day = timezone.localtime(start).date()
        last_day = timezone.localtime(end - timedelta(microseconds=1)).date()
        for period in self.periods:
            if period.start_date <= last_day and period.end_date >= first_day:
                conflicts.append(
                    Conflict(
                        "unavailable",
                        _("%(name)s har markerat %(from)s–%(to)s som otillgängligt.")
                        % {"name": creator.name, "from": period.start_date, "to": period.end_date},
                    )
                )
        for other in self.nearby:
            if other.end <= start - _SEARCH_WINDOW or other.start >= end + _SEARCH_WINDOW:
                continue
            where = other.event.library.municipality
            if (
                self.digital
                or municipality is None
                or _is_digital(other)
                # Another session of the same event is in the same place: only overlapping counts.
                or (self.event_id is not None and other.event_id == self.event_id)
            ):
                minutes = 0
            elif where.pk == municipality.pk:
                minutes = municipality.region.same_municipality_travel_minutes
            else:
                minutes = self.table.get(where.pk, municipality.region.default_travel_minutes)
            gap = timedelta(minutes=minutes)
            if other.start < end and start < other.end:
                kind, text = "overlap", _("%(name)s är redan bokad %(when)s (%(place)s).")
            elif other.start < end + gap and start < other.end + gap:
                kind, text = (
                    "travel",
                    _("%(name)s hinner inte resa: bokad %(when)s (%(place)s), %(minutes)s minuter bort."),
                )
            else:
                continue
            conflicts.append(
                Conflict(
                    kind,
                    text
                    % {
                        "name": creator.name,
                        "when": dates.format_datetime(other.start),
                        "place": where.name,
                        "minutes": minutes,
                    },
                    session_id=other.pk,
                )
            )
        return conflicts


def creator_conflicts(
    *,
    creator,
    start: datetime,
    end: datetime,
    municipality: Municipality | None,
    digital: bool = False,
    exclude_event_ids=(),
    exclude_session_ids=(),
    event_id: int | None = None,
) -> list[Conflict]:
    """Everything that keeps the creator from being at `municipality` from start to end.

    exclude_session_ids: sessions that do not count (the one being moved). event_id: the
    event the time belongs to; its other sessions are in the same place, so they conflict
    only by overlapping, never by travel time.
    """
    return _CreatorCalendar(
        creator=creator,
        times=[(start, end)],
        municipality=municipality,
        digital=digital,
        exclude_event_ids=exclude_event_ids,
        exclude_session_ids=exclude_session_ids,
        event_id=event_id,
    ).conflicts(start, end)


def _unavailable(conflicts: list[Conflict], pointer: str) -> CreatorUnavailable:
    return CreatorUnavailable(
        conflicts[0].detail,
        errors=[{"pointer": pointer, "code": c.kind, "detail": c.detail} for c in conflicts],
    )


def creator_ensure_available(*, pointer: str = "/date_option", **kwargs) -> None:
    """Raise CreatorUnavailable (409 creator_unavailable) with the first reason found."""
    conflicts = creator_conflicts(**kwargs)
    if conflicts:
        raise _unavailable(conflicts, pointer)


def creators_ensure_available(
    *,
    creators,
    times,
    municipality: Municipality | None,
    digital: bool = False,
    exclude_session_ids=(),
    event_id: int | None = None,
    pointers: list[str] | None = None,
) -> None:
    """Every creator is free at every one of `times` ([(start, end)]); else 409
    creator_unavailable naming the first clash. `pointers[i]` is where creators[i] sits in
    the caller's input (e.g. "/creators/0"). Lock the creators first (lock_creators)."""
    times = [(start, end) for start, end in times]
    if not times:
        return
    for index, creator in enumerate(creators):
        calendar = _CreatorCalendar(
            creator=creator,
            times=times,
            municipality=municipality,
            digital=digital,
            exclude_session_ids=exclude_session_ids,
            event_id=event_id,
        )
        for start, end in times:
            conflicts = calendar.conflicts(start, end)
            if conflicts:
                raise _unavailable(conflicts, pointers[index] if pointers else "/creators")


def room_ensure_free(*, room: Room, start: datetime, end: datetime) -> None:
    if not room_is_free(room=room, start=start, end=end):
        raise RoomTaken(
            errors=[{"pointer": "/date_option", "code": "room_taken", "detail": str(RoomTaken.message)}]
        )
