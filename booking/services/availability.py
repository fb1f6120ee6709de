"""Is a creator free to be somewhere at a time? Is a room free?

A creator is never in two places at once: another visit that overlaps, or one that ends too
close to this one for the journey between the two municipalities, is a conflict; so is a date
the creator has marked as unavailable. Travel times come from the region's TravelTime table,
looked up in both directions, with the region's defaults where a pair is missing and within one
municipality. A digital visit needs no travel (but the creator still cannot do two at once). Rooms are
the events service's room_is_free.

Callers that write (visit_request_accept) lock the creator's row first, so that two accepts
at the same time cannot both pass the check.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.errors import CreatorUnavailable, RoomTaken
from booking.models import (
    CreatorUnavailability,
    Event,
    Municipality,
    Room,
    Session,
    TravelTime,
    VisitRequest,
)
from booking.services.events import room_is_free

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


def _is_digital(session: Session) -> bool:
    request = getattr(session.event, "visit_request", None)
    return request is not None and request.format == VisitRequest.Format.DIGITAL


def creator_conflicts(
    *,
    creator,
    start: datetime,
    end: datetime,
    municipality: Municipality | None,
    digital: bool = False,
    exclude_event_ids=(),
) -> list[Conflict]:
    """Everything that keeps the creator from being at `municipality` from start to end."""
    conflicts: list[Conflict] = []
    first_day = timezone.localtime(start).date()
    last_day = timezone.localtime(end - timedelta(microseconds=1)).date()
    for period in CreatorUnavailability.objects.filter(
        creator=creator, start_date__lte=last_day, end_date__gte=first_day
    ):
        conflicts.append(
            Conflict(
                "unavailable",
                _("%(name)s har markerat %(from)s–%(to)s som otillgängligt.")
                % {"name": creator.name, "from": period.start_date, "to": period.end_date},
            )
        )

    nearby = (
        Session.objects.filter(
            event__creators=creator,
            status=Session.Status.SCHEDULED,
            start__lt=end + _SEARCH_WINDOW,
            end__gt=start - _SEARCH_WINDOW,
        )
        .exclude(event__status=Event.Status.CANCELLED)
        .exclude(event_id__in=exclude_event_ids)
        .select_related("event__library__municipality", "event__visit_request")
        .distinct()
    )
    table = _travel_table(municipality) if municipality is not None and not digital else {}
    for other in nearby:
        where = other.event.library.municipality
        if digital or municipality is None or _is_digital(other):
            minutes = 0
        elif where.pk == municipality.pk:
            minutes = municipality.region.same_municipality_travel_minutes
        else:
            minutes = table.get(where.pk, municipality.region.default_travel_minutes)
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
                    "when": timezone.localtime(other.start).strftime("%Y-%m-%d %H:%M"),
                    "place": where.name,
                    "minutes": minutes,
                },
                session_id=other.pk,
            )
        )
    return conflicts


def creator_ensure_available(**kwargs) -> None:
    """Raise CreatorUnavailable (409 creator_unavailable) with the first reason found."""
    conflicts = creator_conflicts(**kwargs)
    if conflicts:
        raise CreatorUnavailable(
            conflicts[0].detail,
            errors=[{"pointer": "/date_option", "code": c.kind, "detail": c.detail} for c in conflicts],
        )


def room_ensure_free(*, room: Room, start: datetime, end: datetime) -> None:
    if not room_is_free(room=room, start=start, end=end):
        raise RoomTaken(
            errors=[{"pointer": "/date_option", "code": "room_taken", "detail": str(RoomTaken.message)}]
        )
