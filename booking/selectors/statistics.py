"""Statistics for the region and its libraries: aggregate queries only, three of them whatever
the period or the number of rows (sessions, bookings, attendance), plus one for labels.

What counts:
- a session counts in the period when it starts in it (local dates, both ends included);
  drafts never count. `events` are the events with a session in the row; `sessions` the
  scheduled ones, `sessions_cancelled` the cancelled ones.
- `bookings`, `seats_booked`, `children`: bookings that hold seats now (confirmed or offered)
  for a session in the period (a series booking counts at its event's first session);
  `waitlisted`: bookings that were ever on the waitlist; `promoted`: those moved from it.
- `attended`, `no_shows`: people (the booking's seats) checked in or marked absent.
Bookings survive anonymisation (contact details are blanked in place), so statistics do too.

Tag groupings (audience, priority group, language) count an event in each of its tags, and
`month` counts an event in each month it has sessions in: those answers say `overlapping`.
Events with no tag form a row whose key is null.

Disclosure control: in rows of a sensitive priority group (PriorityGroup.sensitive), the
counts of people (bookings and everything after) under 5 are suppressed (null), and the answer
says `suppressed`. Counts of events and sessions describe the programme, not people, and stay.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.translation import gettext as _

from booking.models import (
    Attendance,
    Audience,
    Booking,
    Event,
    Language,
    Library,
    Municipality,
    PriorityGroup,
    Session,
)

GROUPS = ("municipality", "library", "kind", "audience", "priority_group", "language", "month")
TAG_GROUPS = {"audience": "audiences", "priority_group": "priority_groups", "language": "languages"}
METRICS = (
    "events",
    "sessions",
    "sessions_cancelled",
    "bookings",
    "seats_booked",
    "children",
    "waitlisted",
    "promoted",
    "attended",
    "no_shows",
)
PEOPLE_METRICS = METRICS[3:]
SUPPRESS_BELOW = 5


@dataclass
class Statistics:
    group_by: str
    period_start: date
    period_end: date
    rows: list[dict] = field(default_factory=list)
    suppressed: bool = False
    overlapping: bool = False

    def as_dict(self) -> dict:
        return {
            "group_by": self.group_by,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "rows": self.rows,
            "suppressed": self.suppressed,
            "overlapping": self.overlapping,
        }


def _key_expression(group_by: str, event_path: str, start_expression):
    """What to group by, reached from a queryset through `event_path` ("event__", ...)."""
    if group_by == "municipality":
        return F(f"{event_path}library__municipality_id")
    if group_by == "library":
        return F(f"{event_path}library_id")
    if group_by == "kind":
        return F(f"{event_path}kind")
    if group_by in TAG_GROUPS:
        return F(f"{event_path}{TAG_GROUPS[group_by]}")
    return TruncMonth(start_expression, tzinfo=ZoneInfo(settings.TIME_ZONE))


def _month_key(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.astimezone(ZoneInfo(settings.TIME_ZONE)) if value.tzinfo else value
    return f"{value.year:04d}-{value.month:02d}"


def _labels(group_by: str, keys) -> dict:
    keys = [key for key in keys if key is not None]
    if group_by == "municipality":
        return {m.code: m.name for m in Municipality.objects.filter(code__in=keys)}
    if group_by == "library":
        return {lib.pk: lib.name for lib in Library.objects.filter(pk__in=keys)}
    if group_by == "kind":
        return dict(Event.Kind.choices)
    if group_by == "audience":
        return {a.code: a.name for a in Audience.objects.filter(code__in=keys)}
    if group_by == "priority_group":
        return {g.code: g.name for g in PriorityGroup.objects.filter(code__in=keys)}
    if group_by == "language":
        return {lang.tag: lang.name for lang in Language.objects.filter(tag__in=keys)}
    return {key: key for key in keys}


def statistics_compute(
    *,
    group_by: str,
    period_start: date,
    period_end: date,
    library_ids: set[int] | None = None,
) -> Statistics:
    """The statistics of events held at `library_ids` (None: all libraries of the region)."""
    if group_by not in GROUPS:
        raise ValueError(group_by)
    zone = ZoneInfo(settings.TIME_ZONE)
    since = datetime.combine(period_start, time.min, tzinfo=zone)
    until = datetime.combine(period_end + timedelta(days=1), time.min, tzinfo=zone)
    in_scope = ~Q(event__status=Event.Status.DRAFT)
    if library_ids is not None:
        in_scope &= Q(event__library_id__in=library_ids)

    sessions = (
        Session.objects.filter(in_scope, start__gte=since, start__lt=until)
        .annotate(key=_key_expression(group_by, "event__", "start"))
        .values("key")
        .annotate(
            events=Count("event", distinct=True),
            sessions=Count("pk", distinct=True, filter=Q(status=Session.Status.SCHEDULED)),
            sessions_cancelled=Count("pk", distinct=True, filter=Q(status=Session.Status.CANCELLED)),
        )
        .order_by()
    )

    first_start = Subquery(
        Session.objects.filter(event=OuterRef("event_id")).order_by("start").values("start")[:1]
    )
    holds = Q(status__in=Booking.HOLDS_SEATS)
    bookings = (
        Booking.objects.filter(in_scope)
        .annotate(when=Coalesce(F("session__start"), first_start))
        .filter(when__gte=since, when__lt=until)
        .annotate(key=_key_expression(group_by, "event__", "when"))
        .values("key")
        .annotate(
            bookings=Count("pk", distinct=True, filter=holds),
            seats_booked=Sum("seats", filter=holds),
            children=Sum("children", filter=holds),
            waitlisted=Count("pk", distinct=True, filter=Q(waitlisted_at__isnull=False)),
            promoted=Count("pk", distinct=True, filter=Q(promoted=True)),
        )
        .order_by()
    )

    attendance_scope = ~Q(session__event__status=Event.Status.DRAFT)
    if library_ids is not None:
        attendance_scope &= Q(session__event__library_id__in=library_ids)
    attendance = (
        Attendance.objects.filter(attendance_scope, session__start__gte=since, session__start__lt=until)
        .annotate(key=_key_expression(group_by, "session__event__", "session__start"))
        .values("key")
        .annotate(
            attended=Sum("booking__seats", filter=Q(status=Attendance.Status.ATTENDED)),
            no_shows=Sum("booking__seats", filter=Q(status=Attendance.Status.NO_SHOW)),
        )
        .order_by()
    )

    table: dict = {}
    for result in (*sessions, *bookings, *attendance):
        key = _month_key(result["key"]) if group_by == "month" else result["key"]
        row = table.setdefault(key, dict.fromkeys(METRICS, 0))
        for metric in METRICS:
            if metric in result:
                row[metric] += result[metric] or 0

    labels = _labels(group_by, table)
    sensitive = (
        set(PriorityGroup.objects.filter(sensitive=True).values_list("code", flat=True))
        if group_by == "priority_group"
        else set()
    )
    stats = Statistics(
        group_by=group_by,
        period_start=period_start,
        period_end=period_end,
        overlapping=group_by in TAG_GROUPS or group_by == "month",
    )
    for key in sorted(table, key=lambda k: (k is None, str(labels.get(k, k)) if group_by != "month" else k)):
        counts = table[key]
        if key in sensitive:
            for metric in PEOPLE_METRICS:
                if counts[metric] < SUPPRESS_BELOW:
                    counts[metric] = None
                    stats.suppressed = True
        label = labels.get(key, key) if key is not None else _("Ingen angiven")
        stats.rows.append({"key": key, "label": str(label), **counts})
    return stats
