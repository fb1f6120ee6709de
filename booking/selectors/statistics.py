"""Statistics for the region and its libraries, grouped by municipality, library, kind,
audience, priority group, language or month. Counted in the database, per event (and month):
a constant number of queries whatever the number of sessions and bookings; Python only adds
the per-event rows into the grouping's rows.

Definitions (the staff page's help text says the same):
- A session counts in the period when it starts in it (local dates, both ends included);
  drafts never count. An **activity occasion** is a session that is not cancelled (sessions
  still to come count as planned): `sessions`. `sessions_cancelled` are the cancelled ones.
  Sessions of private events (school-class visits) are closed-group occasions: they are in
  `sessions` and counted apart in `closed_group`, never as public occasions (see the summary).
  `events` are the events with a session in the row.
- **For children and young people**: at least one audience, and all of them under 18 (no
  audiences is not "children"): statistics_facts.for_children.
- **People** are counted per booking: `bookings`, `seats_booked`, `children` are bookings
  that hold seats now (confirmed or offered); a series booking is one booking and its seats
  count once, at its event's first session. `waitlisted`: bookings that were ever on the
  waitlist; `promoted`: those moved from it. **Occasions** are counted per session.
- **Attendance** counts only for sessions that have started (check-in opens at 00:00 on the
  session's day, booking.services.attendance): `attended` is the seats that came
  (Attendance.attended_seats) at each started session, `no_shows` the booked seats that did not
  (a no-show's seats, and the rest of a partly present group). A series booking checked in at
  three sessions counts at each of them, as participants per occasion are counted.
- **Priority groups**: an event counts for a group when it is tagged with it, or derived (all
  audiences under 18 → children and young people; a national-minority language → national
  minorities), decided in one function (statistics_facts.event_priority_groups). Two or more
  groups make it **double priority** (the row `double_priority`); events flagged easy-to-read
  have the row `easy_to_read`, and each minority language its own row
  (`national_minority:<tag>`). An event with no group is in the row whose key is null.
- Tag groupings (audience, priority group, language) count an event in each of its tags, and
  `month` counts an event in each month it has sessions in: those answers say `overlapping`.
  Events with no tag form a row whose key is null.
- **Reach**: rows by municipality carry `population` (the region's data, SCB) and
  `sessions_per_1000`, `seats_booked_per_1000` (one decimal); without a population the rates
  are null and `population_note` says why. Every municipality in scope has a row, so that one
  left behind shows with zeros.
- **Suppression**: in the rows of sensitive groups (disability, national minority, other
  mother tongue: PriorityGroup.sensitive; double priority and minority languages, which can
  reveal them), people counts of 1–4 are hidden (null; 0 stays 0). When exactly one cell of a
  column is hidden, the next smallest count of that column is hidden too, so that a total minus
  the other rows cannot reveal it. `totals` count every event once and include hidden cells;
  the answer says `suppressed` and gives `suppression_note`. Counts of events and sessions
  describe the programme, not people, and stay. Accessibility needs are never counted here.
- Bookings survive anonymisation (contact details are blanked in place), so statistics do too.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.models import (
    Attendance,
    Audience,
    Booking,
    Event,
    Language,
    Library,
    PriorityGroup,
    Session,
)
from booking.selectors.statistics_facts import (
    DOUBLE_PRIORITY,
    EASY_TO_READ,
    MINORITY_LANGUAGE_PREFIX,
    EventFacts,
    event_facts,
    event_priority_groups,
    in_scope,
    is_double_priority,
    municipalities_in_scope,
    per_thousand,
    period_bounds,
    population_note,
    suppress,
)

GROUPS = ("municipality", "library", "kind", "audience", "priority_group", "language", "month")
TAG_GROUPS = {"audience": "audiences", "priority_group": "priority_groups", "language": "languages"}
PROGRAMME_METRICS = ("events", "sessions", "sessions_cancelled", "closed_group")
PEOPLE_METRICS = ("bookings", "seats_booked", "children", "waitlisted", "promoted", "attended", "no_shows")
METRICS = PROGRAMME_METRICS + PEOPLE_METRICS
REACH_FIELDS = ("population", "sessions_per_1000", "seats_booked_per_1000", "population_note")


@dataclass
class Statistics:
    group_by: str
    period_start: date
    period_end: date
    rows: list[dict] = field(default_factory=list)
    totals: dict = field(default_factory=dict)
    suppressed: bool = False
    overlapping: bool = False

    @property
    def suppression_note(self) -> str:
        if not self.suppressed:
            return ""
        return _(
            "Antal personer under 5 i känsliga grupper visas som ”färre än 5” och ytterligare "
            "en cell döljs när bara en är dold, så att ingen kan räknas fram. Totalerna räknar "
            "med de dolda cellerna."
        )

    def as_dict(self) -> dict:
        return {
            "group_by": self.group_by,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "rows": self.rows,
            "totals": self.totals,
            "suppressed": self.suppressed,
            "suppression_note": self.suppression_note,
            "overlapping": self.overlapping,
        }


def _month_key(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime) and value.tzinfo:
        value = value.astimezone(ZoneInfo(settings.TIME_ZONE))
    return f"{value.year:04d}-{value.month:02d}"


def _grouped(queryset, event_field: str, when_field: str, *, by_month: bool):
    """values() per event, and per local month when grouping by month."""
    if by_month:
        zone = ZoneInfo(settings.TIME_ZONE)
        queryset = queryset.annotate(month=TruncMonth(when_field, tzinfo=zone))
        return queryset.values(event_field, "month")
    return queryset.values(event_field)


def _counted_rows(group_by: str, since: datetime, until: datetime, library_ids, now: datetime):
    """Three aggregate queries: sessions, bookings and attendance per event (and month)."""
    by_month = group_by == "month"
    scope = in_scope(library_ids)
    sessions = _grouped(
        Session.objects.filter(scope, start__gte=since, start__lt=until),
        "event_id",
        "start",
        by_month=by_month,
    ).annotate(
        sessions=Count("pk", filter=Q(status=Session.Status.SCHEDULED)),
        sessions_cancelled=Count("pk", filter=Q(status=Session.Status.CANCELLED)),
    )
    first_start = Subquery(
        Session.objects.filter(event=OuterRef("event_id")).order_by("start").values("start")[:1]
    )
    holds = Q(status__in=Booking.HOLDS_SEATS)
    bookings = _grouped(
        Booking.objects.filter(scope)
        .annotate(when=Coalesce(F("session__start"), first_start))
        .filter(when__gte=since, when__lt=until),
        "event_id",
        "when",
        by_month=by_month,
    ).annotate(
        bookings=Count("pk", filter=holds),
        seats_booked=Sum("seats", filter=holds),
        children=Sum("children", filter=holds),
        waitlisted=Count("pk", filter=Q(waitlisted_at__isnull=False)),
        promoted=Count("pk", filter=Q(promoted=True)),
    )
    attendance = _grouped(
        Attendance.objects.filter(
            in_scope(library_ids, "session__event__"),
            session__start__gte=since,
            session__start__lt=until,
            session__start__lte=now,
        ),
        "session__event_id",
        "session__start",
        by_month=by_month,
    ).annotate(
        attended=Sum("attended_seats"),
        no_shows=Sum(F("booking__seats") - F("attended_seats")),
    )
    return [
        (row.pop("event_id", None) or row.pop("session__event_id"), row)
        for row in (*sessions.order_by(), *bookings.order_by(), *attendance.order_by())
    ]


def _keys(group_by: str, facts: EventFacts, row: dict) -> list:
    if group_by == "municipality":
        return [facts.municipality_id]
    if group_by == "library":
        return [facts.library_id]
    if group_by == "kind":
        return [facts.kind]
    if group_by == "month":
        return [_month_key(row["month"])]
    if group_by == "audience":
        return [code for code, _age in facts.audiences] or [None]
    if group_by == "language":
        return [tag for tag, _kind in facts.languages] or [None]
    groups = event_priority_groups(facts)
    keys: list = sorted(groups) or [None]
    if is_double_priority(groups):
        keys.append(DOUBLE_PRIORITY)
    if facts.easy_to_read:
        keys.append(EASY_TO_READ)
    keys.extend(f"{MINORITY_LANGUAGE_PREFIX}{tag}" for tag in facts.minority_languages)
    return keys


def _labels_and_sensitive(group_by: str, keys, municipalities: dict) -> tuple[dict, set]:
    """Row labels, and the keys of sensitive rows. One query at most."""
    keys = [key for key in keys if key is not None]
    if group_by == "municipality":
        return {code: m["name"] for code, m in municipalities.items()}, set()
    if group_by == "library":
        return {lib.pk: lib.name for lib in Library.objects.filter(pk__in=keys)}, set()
    if group_by == "kind":
        return dict(Event.Kind.choices), set()
    if group_by == "audience":
        return {a.code: a.name for a in Audience.objects.filter(code__in=keys)}, set()
    if group_by == "language":
        languages = list(Language.objects.filter(tag__in=keys))
        return {lang.tag: lang.name for lang in languages}, {
            lang.tag for lang in languages if lang.is_national_minority
        }
    if group_by == "priority_group":
        groups = {g.code: g for g in PriorityGroup.objects.all()}
        tags = [
            key.removeprefix(MINORITY_LANGUAGE_PREFIX)
            for key in keys
            if key.startswith(MINORITY_LANGUAGE_PREFIX)
        ]
        minority = groups.get(MINORITY_LANGUAGE_PREFIX.rstrip(":"))
        labels = {code: g.name for code, g in groups.items()}
        labels[DOUBLE_PRIORITY] = _("Dubbelt prioriterade")
        labels[EASY_TO_READ] = _("Lättläst")
        for lang in Language.objects.filter(tag__in=tags) if tags else []:
            labels[f"{MINORITY_LANGUAGE_PREFIX}{lang.tag}"] = _("%(group)s: %(language)s") % {
                "group": minority.name if minority else _("Nationella minoriteter"),
                "language": lang.name,
            }
        sensitive = {code for code, g in groups.items() if g.sensitive}
        sensitive |= {DOUBLE_PRIORITY, *(key for key in keys if key.startswith(MINORITY_LANGUAGE_PREFIX))}
        return labels, sensitive
    return {key: key for key in keys}, set()


def _order(group_by: str, labels: dict):
    if group_by == "month":
        return lambda key: (key is None, key or "")
    if group_by == "priority_group":
        # The groups in the region's order, then double priority, easy-to-read, the languages.
        ranks = {code: index for index, code in enumerate(labels)}
        return lambda key: (key is None, ranks.get(key, len(ranks)), str(labels.get(key, key)))
    return lambda key: (key is None, str(labels.get(key, key)))


def statistics_compute(
    *,
    group_by: str,
    period_start: date,
    period_end: date,
    library_ids: set[int] | None = None,
    now: datetime | None = None,
) -> Statistics:
    """The statistics of events held at `library_ids` (None: all libraries of the region)."""
    if group_by not in GROUPS:
        raise ValueError(group_by)
    now = now or timezone.now()
    since, until = period_bounds(period_start, period_end)
    counted = _counted_rows(group_by, since, until, library_ids, now)
    events = Event.objects.filter(
        in_scope(library_ids, ""),
        pk__in=Session.objects.filter(start__gte=since, start__lt=until).values("event_id"),
    )
    facts = event_facts(events, tags=group_by in TAG_GROUPS)
    municipalities = municipalities_in_scope(library_ids) if group_by == "municipality" else {}

    table: dict = {key: dict.fromkeys(METRICS, 0) for key in municipalities}
    events_in: dict = defaultdict(set)
    totals = dict.fromkeys(METRICS, 0)
    for event_id, result in counted:
        event = facts.get(event_id)
        if event is None:  # a booking whose event has no session in the period: not possible
            continue
        if "sessions" in result and event.private:
            result["closed_group"] = result["sessions"]
        for key in _keys(group_by, event, result):
            row = table.setdefault(key, dict.fromkeys(METRICS, 0))
            for metric in METRICS:
                row[metric] += result.get(metric) or 0
            if "sessions" in result:
                events_in[key].add(event_id)
        for metric in METRICS:
            totals[metric] += result.get(metric) or 0
    totals["events"] = len(facts)

    labels, sensitive = _labels_and_sensitive(group_by, table, municipalities)
    stats = Statistics(
        group_by=group_by,
        period_start=period_start,
        period_end=period_end,
        totals=totals,
        overlapping=group_by in TAG_GROUPS or group_by == "month",
    )
    for key in sorted(table, key=_order(group_by, labels)):
        counts = table[key]
        counts["events"] = len(events_in[key])
        label = labels.get(key, key) if key is not None else _("Ingen angiven")
        row = {"key": key, "label": str(label), **counts}
        if group_by == "municipality":
            population = municipalities.get(key, {}).get("population")
            row.update(
                population=population,
                sessions_per_1000=per_thousand(counts["sessions"], population),
                seats_booked_per_1000=per_thousand(counts["seats_booked"], population),
                population_note=population_note(population),
            )
        stats.rows.append(row)
    stats.suppressed = suppress(stats.rows, sensitive=sensitive, metrics=PEOPLE_METRICS)
    return stats
