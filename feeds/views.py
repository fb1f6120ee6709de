"""Calendar feeds as plain Django views: parse, fingerprint, answer 304 or render.

The fingerprint is one aggregate query (latest update times and a count), so a client that
polls with If-None-Match costs no calendar building at all; one that sends only
If-Modified-Since costs one query more, for what left the feed since (selectors.
feed_last_modified). The public feeds' queries are compiled once (feeds.compiled).
"""

from __future__ import annotations

from calendar import timegm
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from backend.errors import problem
from booking import access
from booking.errors import InvalidFilter
from booking.filters import EventFilter, filter_errors
from booking.models import Booking, Event, Library, Municipality, Session
from booking.services.bookings import booking_by_calendar_token
from feeds import selectors
from feeds.ical import FeedOptions, event_title, feed_render

LANGS = ("sv", "en")
ALARM_BEFORE = timedelta(hours=2)
CACHE_PUBLIC = "public, max-age=900"
CACHE_PRIVATE = "private, max-age=900"


class BadFilter(Exception):
    def __init__(self, errors: list[dict]):
        self.errors = errors


def _lang(request, default: str = "sv") -> str:
    lang = request.GET.get("lang", default) or default
    if lang not in LANGS:
        raise BadFilter(
            [
                {
                    "pointer": "/lang",
                    "parameter": "lang",
                    "code": "invalid_choice",
                    "detail": _("Välj sv eller en."),
                }
            ]
        )
    return lang


# Query parameters of the feeds themselves, not of the event filters.
FEED_PARAMS = frozenset({"lang"})


def _filtered_events(request):
    """The events the event list's filters select, or None when the query string has no filter
    parameter; a bad value is a BadFilter, never a 500.

    Without any other parameter there is nothing to filter or refuse, so the FilterSet (about
    a third of a conditional GET: it deep-copies its filters and builds a form class each
    time) is skipped; any other parameter, known or not, goes through it as before."""
    if FEED_PARAMS.issuperset(request.GET.keys()):
        return None
    queryset = Event.objects.all()
    event_filter = EventFilter(request.GET, queryset=queryset)
    if not event_filter.is_valid():
        raise BadFilter(filter_errors(event_filter))
    return event_filter.filter_queryset(queryset)  # the form is clean: no second validation


def _key(request, name: str) -> str:
    return name + "?" + urlencode(sorted(request.GET.items()))


def _bad_filter(exc: BadFilter) -> HttpResponse:
    return problem(400, InvalidFilter.code, str(InvalidFilter.message), exc.errors)


def _not_found() -> HttpResponse:
    return HttpResponse(_("Kalendern finns inte."), status=404, content_type="text/plain; charset=utf-8")


def _needs_date(request) -> bool:
    """Whether Last-Modified decides this conditional request (RFC 9110 13.2.2): If-Modified-
    Since counts only without If-None-Match, If-Unmodified-Since only without If-Match."""
    meta = request.META
    return ("HTTP_IF_MODIFIED_SINCE" in meta and "HTTP_IF_NONE_MATCH" not in meta) or (
        "HTTP_IF_UNMODIFIED_SINCE" in meta and "HTTP_IF_MATCH" not in meta
    )


def _feed_response(
    request,
    *,
    key,
    name,
    filename,
    sessions,
    options,
    public_scope=None,
    base=None,
    date_options=None,
    all_date_options=None,
    extra=(),
    dropped=None,
    private=False,
) -> HttpResponse:
    """Answer 304 from the fingerprint, or render.

    `sessions()`: all the feed's sessions in any state, built only when needed (on a 304 that
    the compiled fingerprint answers, building the querysets would cost more than the query);
    the window is applied here, with one `now` for the fingerprint and the render.
    `public_scope`: (scope, value) of an unfiltered public feed, whose queries are compiled
    once (selectors.public_fingerprint, feed_last_modified). `base()`: all the feed could
    hold without its status and filter conditions, for Last-Modified (default `sessions()`).
    `name()`: the calendar's name, called in the feed's language (`lang`), not the one
    LocaleMiddleware took from Accept-Language: the ETag does not vary with that, so neither
    may the body."""
    now = timezone.now()
    if public_scope is not None:
        scope, value = public_scope
        fingerprint = selectors.public_fingerprint(key=key, scope=scope, value=value, now=now)
    else:
        fingerprint = selectors.feed_fingerprint(
            key=key,
            sessions=selectors.sessions_in_feed(sessions(), now=now),
            date_options=date_options,
            extra=extra,
            rooms=options.audience != "public",  # public feeds name no room (feeds.ical)
        )

    def last_modified() -> int | None:
        moment = selectors.feed_last_modified(
            fingerprint,
            sessions=None if public_scope else (base or sessions)(),
            public_scope=public_scope,
            now=now,
            date_options=all_date_options,
            dropped=dropped,
        )
        return timegm(moment.utctimetuple()) if moment else None

    # A 304 answered by ETag carries no Last-Modified (RFC 9110 15.4.5 lists what it must
    # repeat), so the common poll skips that second look at the database.
    stamp = last_modified() if _needs_date(request) else None
    response = get_conditional_response(request, etag=fingerprint.etag, last_modified=stamp)
    if response is None:
        shown = selectors.sessions_in_feed(sessions(), now=now)
        with translation.override(options.lang):
            title = name()
        body = feed_render(
            name=title,
            key=key,
            session_keys=selectors.session_keys(shown),
            load=lambda pks: selectors.load_sessions(shown, only=pks),
            date_options=selectors.load_date_options(date_options) if date_options is not None else (),
            options=options,
        )
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="{filename}"'
        if stamp is None:
            stamp = last_modified()
    response["ETag"] = fingerprint.etag
    if stamp is not None:
        response["Last-Modified"] = http_date(stamp)
    response["Cache-Control"] = CACHE_PRIVATE if private else CACHE_PUBLIC
    if private:
        response["X-Robots-Tag"] = "noindex"
    return response


def _public_feed(request, *, scope, value=None, key, name, filename):
    """A public feed of the sessions whose `scope` (a path from the session, one of
    selectors.PUBLIC_SCOPES, or "" for all) is `value`."""
    try:
        lang = _lang(request)
        events = _filtered_events(request)
    except BadFilter as exc:
        return _bad_filter(exc)
    where = Q(**{scope: value}) if scope else Q()
    return _feed_response(
        request,
        key=_key(request, key),
        name=name,
        filename=filename,
        sessions=lambda: selectors.public_sessions(where, events=events),
        public_scope=(scope, value) if events is None else None,
        base=lambda: Session.objects.filter(where),
        options=FeedOptions(lang=lang, base_url=settings.PUBLIC_BASE_URL, audience="public"),
    )


@require_safe
def events_feed(request):
    return _public_feed(
        request, scope="", key="events", name=lambda: _("Läsrum – evenemang"), filename="lasrum.ics"
    )


@require_safe
def event_feed(request, event_id: int):
    """One event's sessions ("Lägg till i kalender"); unlisted events too, as they are
    bookable by link, but never drafts or private ones."""
    event = get_object_or_404(Event.objects.public(), pk=event_id)
    try:
        lang = _lang(request)
    except BadFilter as exc:
        return _bad_filter(exc)
    return _feed_response(
        request,
        key=_key(request, f"event:{event.pk}"),
        name=lambda: event_title(event, lang),
        filename=f"lasrum-evenemang-{event.pk}.ics",
        sessions=lambda: Session.objects.filter(event_id=event.pk),
        options=FeedOptions(lang=lang, base_url=settings.PUBLIC_BASE_URL, audience="public"),
    )


@require_safe
def library_feed(request, library_id: int):
    library = get_object_or_404(Library.objects.only("name"), pk=library_id)
    return _public_feed(
        request,
        scope="event__library_id",
        value=library.pk,
        key=f"library:{library.pk}",
        name=lambda: _("Läsrum – %(name)s") % {"name": library.name},
        filename=f"lasrum-bibliotek-{library.pk}.ics",
    )


@require_safe
def municipality_feed(request, code: str):
    municipality = get_object_or_404(Municipality, pk=code)
    return _public_feed(
        request,
        scope="event__library__municipality_id",
        value=municipality.pk,
        key=f"municipality:{municipality.pk}",
        name=lambda: _("Läsrum – %(name)s") % {"name": municipality.name},
        filename=f"lasrum-kommun-{municipality.pk}.ics",
    )


@require_safe
def private_feed(request, token: str):
    user = selectors.feed_token_user(token)
    if user is None:
        return _not_found()
    try:
        lang = _lang(request)
    except BadFilter as exc:
        return _bad_filter(exc)
    audience = "staff" if access.is_staff_member(user) else "creator"
    return _feed_response(
        request,
        key=_key(request, f"private:{user.pk}"),
        name=lambda: _("Läsrum – min kalender"),
        filename="lasrum-privat.ics",
        sessions=lambda: Session.objects.filter(event__in=selectors.user_events(user).values("pk")),
        date_options=selectors.user_date_options(user),
        all_date_options=selectors.user_date_options(user, decided=True),
        options=FeedOptions(lang=lang, base_url=settings.PUBLIC_BASE_URL, audience=audience),
        private=True,
    )


@require_safe
def booking_feed(request, token: str):
    """A booking's own read-only calendar: its sessions with a reminder (VALARM)."""
    booking = booking_by_calendar_token(token=token)
    if booking is None:
        return _not_found()
    try:
        lang = _lang(request, default=booking.language)
    except BadFilter as exc:
        return _bad_filter(exc)
    sessions = selectors.booking_sessions(booking)
    dropped = None
    if booking.status in (Booking.Status.CANCELLED, Booking.Status.EXPIRED):
        # A cancelled booking's calendar shows its sessions cancelled for as long as a
        # cancelled session stays in a feed, then nothing.
        dropped = (booking.cancelled_at or booking.updated_at) + timedelta(
            days=settings.CANCELLED_IN_FEED_DAYS
        )
        if dropped < timezone.now():
            sessions = sessions.none()
        else:
            dropped = None
    return _feed_response(
        request,
        key=_key(request, f"booking:{booking.pk}"),
        name=lambda: event_title(booking.event, lang),
        filename="lasrum-bokning.ics",
        sessions=lambda: sessions,
        extra=(booking.status, booking.updated_at),
        dropped=dropped,
        options=FeedOptions(
            lang=lang,
            base_url=settings.PUBLIC_BASE_URL,
            audience="booking",
            alarm_before=ALARM_BEFORE,
            booking=booking,
        ),
        private=True,
    )
