"""SESSION OR WHOLE SERIES: what a booking of an event books.

An event is booked per session (each booking is for one session) or as a whole series (one
booking holds a seat in every session; it has no session of its own). The API, the staff pages,
the booking form, the event pages, the waitlist moves and the services ask here.
"""

from collections.abc import Iterable

from django.db.models import Prefetch

from booking.models import Event, Session


def event_books_whole_series(event: Event) -> bool:
    """Is the event booked as a whole series (one booking for all its sessions)?"""
    return event.booking_mode == Event.BookingMode.SERIES


def booking_target(*, event: Event, session: Session | None) -> dict:
    """booking_create's target for a booking of `event` made from `session` (the one chosen, or
    the one a staff member is looking at): {"event": event} for a series, else {"session": …}."""
    if event_books_whole_series(event):
        return {"session": None, "event": event}
    return {"session": session, "event": None}


SERIES_SESSIONS_ATTR = "series_sessions"


def series_sessions_booked(sessions: Iterable[Session]) -> list[Session]:
    """Of all the sessions of a series (any status), those a booking of the whole series holds
    a seat in: the scheduled ones, past ones included, in order. Its booking window is theirs
    (booking_window_refusal): it closes before the FIRST, so a series that has begun is closed
    (a page that looked at the coming sessions only used to call it open)."""
    return sorted(
        (s for s in sessions if s.status == Session.Status.SCHEDULED), key=lambda s: (s.start, s.pk)
    )


def series_sessions_prefetch() -> Prefetch:
    """For a list of events: every series' sessions in one query (series_sessions_of reads them)."""
    return Prefetch(
        "sessions",
        queryset=Session.objects.filter(event__booking_mode=Event.BookingMode.SERIES).order_by("start", "pk"),
        to_attr=SERIES_SESSIONS_ATTR,
    )


def series_sessions_of(event: Event) -> list[Session]:
    """series_sessions_booked of the event, prefetched (series_sessions_prefetch) or read."""
    every = getattr(event, SERIES_SESSIONS_ATTR, None)
    if every is None:  # read once per event object, however many rows of a page ask
        every = list(Session.objects.filter(event=event))
        setattr(event, SERIES_SESSIONS_ATTR, every)
    return series_sessions_booked(every)
