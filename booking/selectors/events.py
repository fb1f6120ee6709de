"""Reading events, sessions and libraries: for the API, the public site and the feeds.

`events_with_sessions` loads a page of events with everything a listing shows in a constant
number of queries (one for the events with library, municipality and room; one per related
list), whatever the page size: seats left are columns of the session, and each session's
waitlist length is a subquery, not a query per row.
"""

from datetime import datetime

from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from booking.access import can_manage_event, is_staff_member, visible_events
from booking.errors import NotFound
from booking.models import Booking, Event, Library, Room, Session
from booking.selectors.session_bookings import (
    session_bookings_of_outer_session,
)

LISTED_STATUSES = (Event.Status.PUBLISHED,)


def waitlist_length_subquery() -> Subquery:
    """Waitlisted bookings (parties) for a session: its own, plus its event's series bookings."""
    queue = (
        Booking.objects.filter(status=Booking.Status.WAITLISTED)
        .filter(session_bookings_of_outer_session())
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(queue, output_field=IntegerField()), Value(0))


def sessions_queryset(*, starts_after: datetime | None = None, include_cancelled: bool = True) -> QuerySet:
    queryset = Session.objects.select_related("room").annotate(waitlist_length=waitlist_length_subquery())
    if starts_after is not None:
        queryset = queryset.filter(end__gte=starts_after)
    if not include_cancelled:
        queryset = queryset.filter(status=Session.Status.SCHEDULED)
    return queryset.order_by("start", "pk")


def events_with_sessions(
    queryset: QuerySet | None = None,
    *,
    sessions_after: datetime | None = None,
    include_cancelled_sessions: bool = True,
) -> QuerySet:
    """Add what every event representation needs, in a constant number of queries:
    library → municipality, room, the sessions (each with seats_left and waitlist_length) and
    each list of codes. `sessions_after` keeps only sessions that end after that time."""
    queryset = queryset if queryset is not None else Event.objects.all()
    return queryset.select_related("library__municipality", "room").prefetch_related(
        Prefetch(
            "sessions",
            queryset=sessions_queryset(
                starts_after=sessions_after, include_cancelled=include_cancelled_sessions
            ),
        ),
        "audiences",
        "languages",
        "priority_groups",
        "accessibility_features",
        "creators",
    )


def ordered_by_next_session(queryset: QuerySet, *, now: datetime | None = None) -> QuerySet:
    """Upcoming events first, by their next scheduled session; then past ones, latest first."""
    now = now or timezone.now()
    upcoming = Session.objects.filter(
        event=OuterRef("pk"), status=Session.Status.SCHEDULED, end__gte=now
    ).order_by("start")
    latest = Session.objects.filter(event=OuterRef("pk")).order_by("-start")
    return queryset.annotate(
        next_start=Subquery(upcoming.values("start")[:1]),
        last_start=Subquery(latest.values("start")[:1]),
    ).order_by(F("next_start").asc(nulls_last=True), F("last_start").desc(nulls_last=True), "-pk")


def event_list(
    *,
    user=None,
    statuses: list[str] | None = None,
    visibilities: list[str] | None = None,
    now: datetime | None = None,
) -> QuerySet:
    """The events a listing shows, before the public filters (booking.filters.EventFilter).

    Everyone: published, public events. Staff (library staff, organisers) may ask for other
    `statuses` and `visibilities`, within what they may see (their libraries' drafts and
    private events; organisers all). Others asking for them get only what is public anyway."""
    statuses = list(statuses or LISTED_STATUSES)
    visibilities = list(visibilities or [Event.Visibility.PUBLIC])
    staff = user is not None and is_staff_member(user)
    base = visible_events(user) if staff else Event.objects.listed()
    base = base.filter(status__in=statuses, visibility__in=visibilities)
    return ordered_by_next_session(base, now=now)


def event_readable(user, event: Event) -> bool:
    """Public and unlisted events are readable by id; drafts and private events only by staff
    of the library and organisers (and the event's creators)."""
    if event.is_public:
        return True
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return can_manage_event(user, event) or visible_events(user, Event.objects.filter(pk=event.pk)).exists()


def event_get(*, user=None, pk, sessions_after: datetime | None = None) -> Event:
    """One event with its sessions, or NotFound (also when this user may not see it)."""
    try:
        event = events_with_sessions(sessions_after=sessions_after).get(pk=pk)
    except (Event.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if not event_readable(user, event):
        raise NotFound()
    return event


def session_get(*, user=None, pk) -> Session:
    """One session with seats left and its waitlist length, or NotFound."""
    try:
        session = (
            Session.objects.select_related("event__library__municipality", "room")
            .annotate(waitlist_length=waitlist_length_subquery())
            .get(pk=pk)
        )
    except (Session.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if not event_readable(user, session.event):
        raise NotFound()
    return session


def library_list(*, include_inactive: bool = False) -> QuerySet:
    """Libraries with municipality and their active rooms (with features): three queries."""
    queryset = Library.objects.select_related("municipality").prefetch_related(
        Prefetch(
            "rooms",
            queryset=Room.objects.filter(is_active=True)
            .prefetch_related("accessibility_features")
            .order_by("name"),
        )
    )
    if not include_inactive:
        queryset = queryset.filter(is_active=True)
    return queryset.order_by("municipality__name", "-is_main_library", "name")


__all__ = [
    "event_get",
    "event_list",
    "event_readable",
    "events_with_sessions",
    "library_list",
    "ordered_by_next_session",
    "session_get",
    "sessions_queryset",
    "waitlist_length_subquery",
]
