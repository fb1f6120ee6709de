"""What each feed holds, and a cheap fingerprint of it for conditional GET.

A session is in a feed while it is live and ended less than FEED_PAST_DAYS ago, or — when it
or its event is cancelled — for settings.CANCELLED_IN_FEED_DAYS after the cancellation, shown
as cancelled: Google hides STATUS:CANCELLED, so the title says it too, and then it drops out.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from booking import access
from booking.models import Booking, Event, FeedToken, Session, VisitDateOption, VisitRequest
from booking.models.events import events_listed_q
from booking.services.tokens import token_digest
from feeds.compiled import CompiledAggregate
from feeds.ical import FORMAT_VERSION, SessionKey

# Past sessions stay a while so that subscribers keep their history; older ones drop out.
FEED_PAST_DAYS = 90

OPEN_VISIT_STATUSES = [
    VisitRequest.Status.SUBMITTED,
    VisitRequest.Status.APPROVED,
    VisitRequest.Status.OFFERED,
]


def _cancelled_since(prefix: str, cutoff: datetime) -> Q:
    # A row cancelled before cancelled_at was recorded counts from its last update.
    return Q(**{f"{prefix}cancelled_at__gte": cutoff}) | Q(
        **{f"{prefix}cancelled_at__isnull": True, f"{prefix}updated_at__gte": cutoff}
    )


def _cancelled_before(prefix: str, cutoff: datetime) -> Q:
    """The complement of _cancelled_since for a cancelled row (cancelled_at or, without it,
    updated_at is set), written out: a negated Q would add IS NOT NULL terms."""
    return Q(**{f"{prefix}cancelled_at__lt": cutoff}) | Q(
        **{f"{prefix}cancelled_at__isnull": True, f"{prefix}updated_at__lt": cutoff}
    )


def window_bounds(now: datetime) -> tuple[datetime, datetime]:
    """(past, cutoff): sessions that ended before `past` are out of a feed, and cancellations
    from before `cutoff`."""
    return now - timedelta(days=FEED_PAST_DAYS), now - timedelta(days=settings.CANCELLED_IN_FEED_DAYS)


def _in_window(*, past: datetime, cutoff: datetime) -> Q:
    """Live sessions of live events, and sessions cancelled (or of an event cancelled) less
    than CANCELLED_IN_FEED_DAYS ago; all ended less than FEED_PAST_DAYS ago."""
    scheduled = Q(status=Session.Status.SCHEDULED) & (
        ~Q(event__status=Event.Status.CANCELLED) | _cancelled_since("event__", cutoff)
    )
    cancelled = Q(status=Session.Status.CANCELLED) & _cancelled_since("", cutoff)
    return Q(end__gte=past) & (scheduled | cancelled)


def sessions_in_feed(sessions: QuerySet, *, now: datetime) -> QuerySet:
    """Those of `sessions` (all a feed could hold, in any state) that belong in it now."""
    past, cutoff = window_bounds(now)
    return sessions.filter(_in_window(past=past, cutoff=cutoff))


# Written from the session (event__…) so that the event is joined once: an `event__in`
# subquery of public events made PostgreSQL read the events twice on every conditional GET.
PUBLIC_EVENT = events_listed_q("event__")


def public_sessions(where: Q, *, events: QuerySet | None = None) -> QuerySet:
    """Sessions of public, listed events matching `where` (a condition on the session, such as
    `event__library_id=…`) and, when the feed is filtered, of `events` (an Event queryset)."""
    sessions = Session.objects.filter(PUBLIC_EVENT, where)
    if events is not None:
        sessions = sessions.filter(event__in=events.values("pk"))
    return sessions


def user_events(user) -> QuerySet:
    """A private feed's events: organisers all; staff their libraries' events, drafts and
    private ones included; a creator their own visits, also those not yet public."""
    if access.is_organiser(user):
        return Event.objects.all()
    condition = Q(pk__in=[])
    libraries = access.staff_library_ids(user)
    if libraries:
        condition |= Q(library_id__in=libraries)
    creator = access.creator_for(user)
    if creator:
        condition |= Q(creators=creator) | Q(visit_request__offered_creator=creator)
    return Event.objects.filter(condition)


def user_date_options(user, *, decided: bool = False) -> QuerySet:
    """Visit requests' date options not yet decided: for the staff who asked (organisers: all)
    and for the creator a request is offered to. With `decided`, those of the user's requests
    in any state (what Last-Modified reads: a decided request's options leave the feed)."""
    requests = VisitRequest.objects.all()
    if not decided:
        requests = requests.filter(status__in=OPEN_VISIT_STATUSES)
    if not access.is_organiser(user):
        condition = Q(library_id__in=access.staff_library_ids(user))
        creator = access.creator_for(user)
        if creator:
            offered = Q(offered_creator=creator)
            condition |= offered if decided else offered & Q(status=VisitRequest.Status.OFFERED)
        requests = requests.filter(condition)
    return VisitDateOption.objects.filter(request__in=requests.values("pk"))


def session_keys(sessions: QuerySet) -> list[SessionKey]:
    """The feed's sessions in order, as the few values their VEVENTs need (one query, no
    model instances: a feed's cost is then per event, not per session)."""
    rows = sessions.order_by("start", "pk").values_list(
        "pk",
        "uid",
        "sequence",
        "status",
        "event_id",
        "room__name",
        "start",
        "end",
        "updated_at",
    )
    return [SessionKey(*row) for row in rows]


# Sessions asked for by primary key, up to this many, are loaded with an IN list (well within
# SQLite's 32,766 variables); more, through the feed's own query.
LOAD_BY_PK_MAX = 10_000
CODE_RELATIONS = {
    "audiences": Event.audiences.through,
    "languages": Event.languages.through,
    "accessibility_features": Event.accessibility_features.through,
}


def load_sessions(sessions: QuerySet, *, only: list[int] | None = None) -> dict[int, Session]:
    """Sessions with event, library and room, and each event's codes (names included) per
    relation: four queries whatever the size. The feeds ask for one session per event (`only`).

    The codes are read through the M2M tables directly: prefetch_related would build a
    queryset per event, which costs more than the rest of the feed."""
    if only is not None and len(only) <= LOAD_BY_PK_MAX:
        sessions = Session.objects.filter(pk__in=only)
    rows = list(sessions.select_related("event__library__municipality", "room"))
    events = {}
    for session in rows:
        events.setdefault(session.event_id, session.event).feed_codes = {}
        session.event = events[session.event_id]
    event_ids = sessions.values("event_id")
    for name, through in CODE_RELATIONS.items():
        target = through._meta.get_field(Event._meta.get_field(name).m2m_reverse_field_name()).name
        pairs = (
            through.objects.filter(event_id__in=event_ids)
            .order_by(f"{target}__sort_order", f"{target}__pk")
            .values_list("event_id", f"{target}__name_sv", f"{target}__name_en")
        )
        for event_id, name_sv, name_en in pairs:
            if event_id in events:
                events[event_id].feed_codes.setdefault(name, []).append((name_sv, name_en))
    return {session.pk: session for session in rows}


def load_date_options(options: QuerySet) -> list[VisitDateOption]:
    return list(
        options.select_related("request__library__municipality", "request__room").order_by("start", "pk")
    )


def booking_sessions(booking: Booking) -> QuerySet:
    """A booking's sessions: its own, or every session of the event for a series booking."""
    if booking.session_id:
        return Session.objects.filter(pk=booking.session_id)
    return Session.objects.filter(event_id=booking.event_id)


def feed_token_user(token: str, *, now: datetime | None = None):
    """The user behind an active private-feed token, or None. Marks it used, at most hourly,
    with a conditional UPDATE, so that a busy feed costs no extra write per fetch."""
    now = now or timezone.now()
    row = (
        FeedToken.objects.select_related("user")
        .filter(digest=token_digest(token), revoked_at__isnull=True)
        .first()
    )
    if row is None or not row.user.is_active:
        return None
    if row.last_used_at is None or row.last_used_at < now - timedelta(hours=1):
        FeedToken.objects.filter(pk=row.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - timedelta(hours=1))
        ).update(last_used_at=now)
    return row.user


@dataclass(frozen=True)
class Fingerprint:
    etag: str
    updated: datetime | None  # the latest update of what the feed shows (feed_last_modified adds more)


def _session_aggregates(*, rooms: bool) -> dict:
    aggregates = {
        "n": Count("*"),
        "s": Max("updated_at"),
        "e": Max("event__updated_at"),
        "lib": Max("event__library__updated_at"),
    }
    if rooms:
        aggregates["room"] = Max("room__updated_at")
    return aggregates


def _fingerprint(*, key: str, agg: dict, extra=(), opt: dict | None = None) -> Fingerprint:
    times = [value for name, value in agg.items() if name != "n"]
    parts = [FORMAT_VERSION, key, agg["n"], *times, *extra]
    times += [x for x in extra if isinstance(x, datetime)]
    if opt is not None:
        parts += [opt["n"], opt["r"], opt["lib"], opt["room"]]
        times += [opt["r"], opt["lib"], opt["room"]]
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    known = [t for t in times if t is not None]
    return Fingerprint(etag=f'"{digest}"', updated=max(known) if known else None)


def feed_fingerprint(
    *, key: str, sessions: QuerySet, date_options: QuerySet | None = None, extra=(), rooms: bool = True
) -> Fingerprint:
    """The ETag from one aggregate query per source, without loading rows.

    The count catches deletions and sessions dropping out of the window; the latest update
    times catch edits of a session, its event, its library and — where the feed shows rooms
    (`rooms`: the private and booking feeds; the public ones leave rooms out) — the session's
    room, since a renamed room changes LOCATION. The event's own room is not in the
    fingerprint: no feed shows it (LOCATION names the session's room), and its join added
    0.4-0.6 ms to the 304 path on PostgreSQL. Each source is a single aggregate over
    primary-key joins, whatever the feed's size; COUNT(*) rather than COUNT(id), so that
    PostgreSQL reads the sessions from the index alone (booking.Session's session_feed_window)."""
    agg = sessions.aggregate(**_session_aggregates(rooms=rooms))
    opt = None
    if date_options is not None:
        opt = date_options.aggregate(
            n=Count("*"),
            r=Max("request__updated_at"),
            lib=Max("request__library__updated_at"),
            room=Max("request__room__updated_at"),
        )
    return _fingerprint(key=key, agg=agg, extra=extra, opt=opt)


# The public feeds' scopes, and a stand-in of each one's value for CompiledAggregate.
PUBLIC_SCOPES = {
    "": None,  # every public event
    "event__library_id": -900_000_001,
    "event__library__municipality_id": "\x00kommun\x00",
}
_WINDOW_STAND_INS = {
    "past": datetime(1900, 1, 1, 0, 0, 1, 100001, tzinfo=UTC),
    "cutoff": datetime(1900, 1, 2, 0, 0, 2, 200002, tzinfo=UTC),
}


def _public_shown(path: str, *, past: datetime, cutoff: datetime, scope=None) -> tuple[QuerySet, dict]:
    where = Q(**{path: scope}) if path else Q()
    shown = public_sessions(where).filter(_in_window(past=past, cutoff=cutoff))
    return shown, _session_aggregates(rooms=False)


_PUBLIC_FINGERPRINTS = {
    scope: CompiledAggregate(
        partial(_public_shown, scope),
        stand_ins=_WINDOW_STAND_INS | ({"scope": stand_in} if scope else {}),
        datetimes=frozenset({"s", "e", "lib"}),
    )
    for scope, stand_in in PUBLIC_SCOPES.items()
}


def public_fingerprint(*, key: str, scope: str, value=None, now: datetime) -> Fingerprint:
    """feed_fingerprint of an unfiltered public feed (public_sessions(Q(scope=value)) in the
    window at `now`), from SQL compiled once per scope (feeds.compiled): the same query and the
    same ETag, without Django building and compiling the query on every conditional GET."""
    past, cutoff = window_bounds(now)
    values = {"past": past, "cutoff": cutoff} | ({"scope": value} if scope else {})
    return _fingerprint(key=key, agg=_PUBLIC_FINGERPRINTS[scope].run(**values))


def _left_aggregates(*, past: datetime, cutoff: datetime) -> dict:
    """What tells when sessions left a feed (see feed_last_modified). Sessions that ended before
    the window count by their end alone (whatever else happened to them, they left by then), so
    the other terms read only the window's range."""
    recent = Q(end__gte=past)
    return {
        "events": Max("event__updated_at", filter=recent),
        "ended": Max("end", filter=Q(end__lt=past)),
        "cancelled": Max(
            Coalesce("cancelled_at", "updated_at"),
            filter=recent & Q(status=Session.Status.CANCELLED) & _cancelled_before("", cutoff),
        ),
        "event_cancelled": Max(
            Coalesce("event__cancelled_at", "event__updated_at"),
            filter=recent & Q(event__status=Event.Status.CANCELLED) & _cancelled_before("event__", cutoff),
        ),
    }


def _public_base(path: str, *, past: datetime, cutoff: datetime, scope=None) -> tuple[QuerySet, dict]:
    where = Q(**{path: scope}) if path else Q()
    return Session.objects.filter(where), _left_aggregates(past=past, cutoff=cutoff)


_PUBLIC_LEFT = {
    scope: CompiledAggregate(
        partial(_public_base, scope),
        stand_ins=_WINDOW_STAND_INS | ({"scope": stand_in} if scope else {}),
        datetimes=frozenset({"events", "ended", "cancelled", "event_cancelled"}),
    )
    for scope, stand_in in PUBLIC_SCOPES.items()
}


def feed_last_modified(
    fingerprint: Fingerprint,
    *,
    now: datetime,
    sessions: QuerySet | None = None,
    public_scope: tuple[str, object] | None = None,
    date_options: QuerySet | None = None,
    dropped: datetime | None = None,
) -> datetime | None:
    """Last-Modified: the latest update of what the feed shows, or the latest moment something
    left it, whichever is later (and never after `now`).

    Things leave a feed with no write of their own that the feed could see: a session
    FEED_PAST_DAYS after its end; a cancelled session, or the sessions of a cancelled event,
    CANCELLED_IN_FEED_DAYS after the cancellation; an event unpublished, made private or edited
    so that a filter no longer matches (its update is on a row the feed no longer reads); a
    decided visit request's date options; a cancelled booking's calendar (`dropped`). Without
    these, a client that sends only If-Modified-Since would keep a copy that still shows them.

    `sessions` are all the feed could hold: its events in any state and without the feed's
    filters (for a public feed, `public_scope` says the same: (scope, value) as for
    public_fingerprint), `date_options` likewise. Every moment taken is at most `now`, and some
    are later than the change they stand for (an edited draft, a session that ended after it
    was cancelled): such a client may fetch an unchanged feed once more, never keep a stale one.

    One query (two with date options), run only for a 200 or a request with If-Modified-Since
    and no If-None-Match: a 304 answered by ETag needs no date. It reads the sessions' history
    too, from the index alone (session_feed_window), for the latest end before the window."""
    past, cutoff = window_bounds(now)
    if public_scope is not None:
        scope, value = public_scope
        values = {"past": past, "cutoff": cutoff} | ({"scope": value} if scope else {})
        left = _PUBLIC_LEFT[scope].run(**values)
    else:
        left = sessions.aggregate(**_left_aggregates(past=past, cutoff=cutoff))
    cancel_window = timedelta(days=settings.CANCELLED_IN_FEED_DAYS)
    moments = [
        fingerprint.updated,
        left["events"],
        dropped,
        left["ended"] and left["ended"] + timedelta(days=FEED_PAST_DAYS),
        left["cancelled"] and left["cancelled"] + cancel_window,
        left["event_cancelled"] and left["event_cancelled"] + cancel_window,
    ]
    if date_options is not None:
        moments.append(date_options.aggregate(requests=Max("request__updated_at"))["requests"])
    known = [m for m in moments if m is not None]
    return max(known) if known else None
