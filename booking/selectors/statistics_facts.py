"""What the statistics know about each event, and the rules that read it: for children and
young people, an event's priority groups (tagged or derived, double priority), the period's
bounds, reach per 1,000 inhabitants, and small-cell suppression. booking.selectors.statistics
and .statistics_summary build on these; their docstrings give the definitions in full.

The facts are read in a constant number of queries (one for the events, one per tag table)
whatever the number of events, from subqueries rather than lists of ids.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from booking.models import Event, Language, Municipality

# The region's codes for the two groups an event can also belong to by derivation.
CHILDREN_GROUP = "children_youth"
MINORITY_GROUP = "national_minority"
DOUBLE_PRIORITY = "double_priority"
EASY_TO_READ = "easy_to_read"
MINORITY_LANGUAGE_PREFIX = f"{MINORITY_GROUP}:"  # a minority language's own row: "national_minority:fit"
SUPPRESS_BELOW = 5


@dataclass
class EventFacts:
    pk: int
    library_id: int
    municipality_id: str
    kind: str
    private: bool
    easy_to_read: bool
    audiences: list[tuple[str, int | None]] = field(default_factory=list)  # (code, max_age)
    languages: list[tuple[str, str]] = field(default_factory=list)  # (tag, Language.Kind)
    tagged_groups: set[str] = field(default_factory=set)

    @property
    def minority_languages(self) -> list[str]:
        return [tag for tag, kind in self.languages if kind == Language.Kind.NATIONAL_MINORITY]


def for_children(audience_max_ages) -> bool:
    """For children and young people: at least one audience, and every one of them under 18
    (an event without audiences is not "for children")."""
    ages = list(audience_max_ages)
    return bool(ages) and all(age is not None and age < 18 for age in ages)


def event_priority_groups(facts: EventFacts) -> set[str]:
    """The priority groups an event serves: those it is tagged with, and those derived from
    it: all audiences under 18 → children and young people; a national-minority language →
    national minorities. Two or more make it double priority (is_double_priority)."""
    groups = set(facts.tagged_groups)
    if for_children(age for _code, age in facts.audiences):
        groups.add(CHILDREN_GROUP)
    if facts.minority_languages:
        groups.add(MINORITY_GROUP)
    return groups


def is_double_priority(groups: set[str]) -> bool:
    return len(groups) >= 2


def period_bounds(period_start: date, period_end: date) -> tuple[datetime, datetime]:
    """[since, until) in aware datetimes: local dates, both ends included."""
    zone = ZoneInfo(settings.TIME_ZONE)
    since = datetime.combine(period_start, time.min, tzinfo=zone)
    until = datetime.combine(period_end + timedelta(days=1), time.min, tzinfo=zone)
    return since, until


def in_scope(library_ids: set[int] | None, path: str = "event__") -> Q:
    """Not a draft, and (for library staff) at one of their libraries."""
    scope = ~Q(**{f"{path}status": Event.Status.DRAFT})
    if library_ids is not None:
        scope &= Q(**{f"{path}library_id__in": library_ids})
    return scope


def event_facts(events, *, tags: bool = True) -> dict[int, EventFacts]:
    """Facts of the events of a queryset: 1 query, or 4 with the tags."""
    facts = {
        row["pk"]: EventFacts(
            pk=row["pk"],
            library_id=row["library_id"],
            municipality_id=row["library__municipality_id"],
            kind=row["kind"],
            private=row["visibility"] == Event.Visibility.PRIVATE,
            easy_to_read=row["easy_to_read"],
        )
        for row in events.values(
            "pk", "library_id", "library__municipality_id", "kind", "visibility", "easy_to_read"
        ).order_by()
    }
    if not tags:
        return facts
    ids = events.values("pk")
    through = Event.audiences.through.objects.filter(event_id__in=ids).order_by()
    for event_id, code, max_age in through.values_list("event_id", "audience_id", "audience__max_age"):
        facts[event_id].audiences.append((code, max_age))
    through = Event.languages.through.objects.filter(event_id__in=ids).order_by()
    for event_id, tag, kind in through.values_list("event_id", "language_id", "language__kind"):
        facts[event_id].languages.append((tag, kind))
    through = Event.priority_groups.through.objects.filter(event_id__in=ids).order_by()
    for event_id, code in through.values_list("event_id", "prioritygroup_id"):
        facts[event_id].tagged_groups.add(code)
    return facts


def municipalities_in_scope(library_ids: set[int] | None) -> dict:
    """{code: {"code", "name", "population"}}: the region's, or those of the staff's libraries."""
    scope = Municipality.objects.all()
    if library_ids is not None:
        scope = scope.filter(libraries__pk__in=library_ids).distinct()
    return {m["code"]: m for m in scope.values("code", "name", "population").order_by("name")}


def per_thousand(count: int, population: int | None) -> float | None:
    """Per 1,000 inhabitants, one decimal; None without a population."""
    if not population:
        return None
    return round(count * 1000 / population, 1)


def population_note(population: int | None) -> str:
    if population:
        return ""
    return _("Folkmängd saknas i regionens data, så andelen per 1 000 invånare kan inte räknas.")


def suppress(rows: list[dict], *, sensitive: set, metrics) -> bool:
    """Hide small people counts in place (None); True when anything was hidden.

    In the rows whose key is in `sensitive`, a count of 1–4 is hidden (0 stays 0). When
    exactly one cell of a column is hidden, the next smallest count above 0 of that column
    (in any row) is hidden too, so that a total minus the other rows cannot reveal it.
    """
    hidden_any = False
    for metric in metrics:
        hidden = [row for row in rows if row["key"] in sensitive and 0 < (row[metric] or 0) < SUPPRESS_BELOW]
        for row in hidden:
            row[metric] = None
        if len(hidden) == 1:
            visible = [row for row in rows if row[metric]]
            if visible:
                min(visible, key=lambda row: row[metric])[metric] = None
        hidden_any = hidden_any or bool(hidden)
    return hidden_any
