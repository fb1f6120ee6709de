"""The yearly report (GET /api/v1/statistics/summary/?year=YYYY): what the national library
statistics and the region's report to the Swedish Arts Council ask for. Counted in the
database in a constant number of queries; the definitions are those of
booking.selectors.statistics, and:

- **Public activity occasions** (the national statistics' count: an occasion arranged by
  library staff, in or outside the library): sessions starting in the year that are not
  cancelled, of events that are neither drafts nor cancelled and not private, by activity
  type (the region's data maps our kinds to the statistics' types: Region.kind_to_activity_type,
  its "_default" for a kind it does not name), and of which **for children and young people**
  (statistics_facts.for_children). Sessions of private events (school-class visits) are
  counted apart as `closed_group`.
- **Participants**: seats booked (bookings holding seats, a series booking once) aged 0–17
  (`children`) and 18+ (the other seats), private events included; `attended`: the seats
  checked in at sessions that have started.
- **Author visits**: `requested` by the date it was submitted, `approved` and `declined` by
  the date of that decision; `held` (completed) visits and their fees, travel costs and
  co-funding granted by the visit's date (the chosen date option).
- **Municipalities**: every municipality in scope with its population, activity occasions
  (public and closed-group) and seats booked, per 1,000 inhabitants, and its held visits with
  their fees and co-funding; `municipalities_reached` counts those with at least one occasion.
"""

from collections import defaultdict
from datetime import date, datetime

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from booking.models import Attendance, Booking, Event, Region, Session, VisitRequest
from booking.selectors.statistics_facts import (
    event_facts,
    for_children,
    in_scope,
    municipalities_in_scope,
    per_thousand,
    period_bounds,
    population_note,
)


def _kind_to_activity_type() -> dict:
    region = Region.objects.only("kind_to_activity_type").first()
    return dict(region.kind_to_activity_type) if region else {}


def _occasions(since, until, library_ids) -> tuple[dict, dict]:
    """Activity occasions by kind, and occasions per municipality. Two queries (+3 for tags)."""
    live = Q(status=Session.Status.SCHEDULED) & ~Q(event__status=Event.Status.CANCELLED)
    per_event = (
        Session.objects.filter(in_scope(library_ids), live, start__gte=since, start__lt=until)
        .values("event_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {row["event_id"]: row["n"] for row in per_event}
    events = Event.objects.filter(
        in_scope(library_ids, ""),
        pk__in=Session.objects.filter(live, start__gte=since, start__lt=until).values("event_id"),
    )
    facts = event_facts(events)
    by_kind = {kind: {"total": 0, "children_and_young": 0} for kind in Event.Kind.values}
    closed_group = 0
    by_municipality: dict = defaultdict(int)
    for event_id, n in counts.items():
        event = facts[event_id]
        by_municipality[event.municipality_id] += n
        if event.private:
            closed_group += n
            continue
        row = by_kind.setdefault(event.kind, {"total": 0, "children_and_young": 0})
        row["total"] += n
        if for_children(age for _code, age in event.audiences):
            row["children_and_young"] += n
    return {"by_kind": by_kind, "closed_group": closed_group}, by_municipality


def _participants(since, until, library_ids, now) -> tuple[dict, dict]:
    first_start = Subquery(
        Session.objects.filter(event=OuterRef("event_id")).order_by("start").values("start")[:1]
    )
    seats = (
        Booking.objects.filter(in_scope(library_ids), status__in=Booking.HOLDS_SEATS)
        .annotate(when=Coalesce(F("session__start"), first_start))
        .filter(when__gte=since, when__lt=until)
        .values("event__library__municipality_id")
        .annotate(seats=Sum("seats"), children=Sum("children"))
        .order_by()
    )
    per_municipality = {}
    children = adults = 0
    for row in seats:
        per_municipality[row["event__library__municipality_id"]] = row["seats"] or 0
        children += row["children"] or 0
        adults += (row["seats"] or 0) - (row["children"] or 0)
    attended = Attendance.objects.filter(
        in_scope(library_ids, "session__event__"),
        session__start__gte=since,
        session__start__lt=until,
        session__start__lte=now,
    ).aggregate(seats=Sum("attended_seats"))["seats"]
    return {
        "seats_booked_0_17": children,
        "seats_booked_18_plus": adults,
        "attended": attended or 0,
    }, per_municipality


def _visits(since, until, library_ids) -> tuple[dict, dict]:
    scope = VisitRequest.objects.all()
    if library_ids is not None:
        scope = scope.filter(library_id__in=library_ids)
    decided = Q(decided_at__gte=since, decided_at__lt=until)
    declined = Q(status=VisitRequest.Status.DECLINED)
    counts = scope.aggregate(
        requested=Count("pk", filter=Q(submitted_at__gte=since, submitted_at__lt=until)),
        approved=Count("pk", filter=decided & ~declined),
        declined=Count("pk", filter=decided & declined),
    )
    held = (
        scope.filter(
            status=VisitRequest.Status.COMPLETED,
            chosen_date_option__start__gte=since,
            chosen_date_option__start__lt=until,
        )
        .values("library__municipality_id")
        .annotate(
            held=Count("pk"),
            fees_sek=Sum("fee_sek"),
            travel_sek=Sum("travel_cost_sek"),
            cofunding_granted_sek=Sum("cofunding_granted_sek"),
        )
        .order_by()
    )
    totals = {**counts, "held": 0, "fees_sek": 0, "travel_sek": 0, "cofunding_granted_sek": 0}
    per_municipality = {}
    for row in held:
        code = row.pop("library__municipality_id")
        row = {key: value or 0 for key, value in row.items()}
        per_municipality[code] = row
        for key, value in row.items():
            totals[key] += value
    return totals, per_municipality


def statistics_summary(
    *, year: int, library_ids: set[int] | None = None, now: datetime | None = None
) -> dict:
    """The yearly report of `library_ids` (None: the whole region)."""
    now = now or timezone.now()
    since, until = period_bounds(date(year, 1, 1), date(year, 12, 31))
    occasions, sessions_in = _occasions(since, until, library_ids)
    participants, seats_in = _participants(since, until, library_ids, now)
    visits, visits_in = _visits(since, until, library_ids)
    mapping = _kind_to_activity_type()
    labels = dict(Event.Kind.choices)
    by_kind = [
        {
            "kind": kind,
            "label": str(labels.get(kind, kind)),
            "activity_type": mapping.get(kind, mapping.get("_default")),
            **counts,
        }
        for kind, counts in occasions["by_kind"].items()
    ]
    municipalities = []
    for code, info in sorted(municipalities_in_scope(library_ids).items(), key=lambda item: item[1]["name"]):
        population = info["population"]
        held = visits_in.get(code, {})
        municipalities.append(
            {
                "code": code,
                "name": info["name"],
                "population": population,
                "sessions": sessions_in.get(code, 0),
                "seats_booked": seats_in.get(code, 0),
                "sessions_per_1000": per_thousand(sessions_in.get(code, 0), population),
                "seats_booked_per_1000": per_thousand(seats_in.get(code, 0), population),
                "population_note": population_note(population),
                "visits_held": held.get("held", 0),
                "fees_sek": held.get("fees_sek", 0),
                "cofunding_granted_sek": held.get("cofunding_granted_sek", 0),
            }
        )
    return {
        "year": year,
        "activity_occasions": {
            "total": sum(row["total"] for row in by_kind),
            "children_and_young": sum(row["children_and_young"] for row in by_kind),
            "closed_group": occasions["closed_group"],
            "by_kind": by_kind,
        },
        "participants": participants,
        "visits": visits,
        "municipalities": municipalities,
        "municipalities_reached": sum(1 for row in municipalities if row["sessions"]),
        "suppressed": False,
    }
