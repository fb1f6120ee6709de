"""Calendar feeds as plain Django views: parse, fingerprint, answer 304 or render.

The fingerprint is one aggregate query (latest update times and a count), so a client that
polls with If-None-Match / If-Modified-Since costs no calendar building at all.
"""

from __future__ import annotations

from calendar import timegm
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from backend.errors import problem
from booking import access
from booking.errors import InvalidFilter
from booking.filters import EventFilter, filter_errors
from booking.models import Booking, Event, Library, Municipality
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


def _filtered_events(request, queryset):
    """Apply the event list's filters; a bad value is a BadFilter, never a 500.

    Without any other parameter there is nothing to filter or refuse, so the FilterSet (about
    a third of a conditional GET: it deep-copies its filters and builds a form class each
    time) is skipped; any other parameter, known or not, goes through it as before."""
    if FEED_PARAMS.issuperset(request.GET.keys()):
        return queryset
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


def _feed_response(
    request, *, key, name, filename, sessions, options, date_options=None, extra=(), private=False
) -> HttpResponse:
    fingerprint = selectors.feed_fingerprint(
        key=key,
        sessions=sessions,
        date_options=date_options,
        extra=extra,
        rooms=options.audience != "public",  # public feeds name no room (feeds.ical)
    )
    stamp = timegm(fingerprint.last_modified.utctimetuple()) if fingerprint.last_modified else None
    response = get_conditional_response(request, etag=fingerprint.etag, last_modified=stamp)
    if response is None:
        body = feed_render(
            name=name,
            key=key,
            session_keys=selectors.session_keys(sessions),
            load=lambda pks: selectors.load_sessions(sessions, only=pks),
            date_options=selectors.load_date_options(date_options) if date_options is not None else (),
            options=options,
        )
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["ETag"] = fingerprint.etag
    if stamp is not None:
        response["Last-Modified"] = http_date(stamp)
    response["Cache-Control"] = CACHE_PRIVATE if private else CACHE_PUBLIC
    if private:
        response["X-Robots-Tag"] = "noindex"
    return response


def _public_feed(request, *, queryset, key, name, filename):
    try:
        lang = _lang(request)
        events = _filtered_events(request, selectors.public_events(queryset))
    except BadFilter as exc:
        return _bad_filter(exc)
    return _feed_response(
        request,
        key=_key(request, key),
        name=name,
        filename=filename,
        sessions=selectors.sessions_in_feed(events),
        options=FeedOptions(lang=lang, base_url=settings.PUBLIC_BASE_URL, audience="public"),
    )


@require_safe
def events_feed(request):
    return _public_feed(
        request, queryset=None, key="events", name=_("Läsrum – evenemang"), filename="lasrum.ics"
    )


@require_safe
def event_feed(request, event_id: int):
    """One event's sessions ("Lägg till i kalender"); unlisted events too, as they are
    bookable by link, but never drafts or private ones."""
    event = get_object_or_404(
        Event.objects.exclude(visibility=Event.Visibility.PRIVATE),
        pk=event_id,
        status__in=selectors.PUBLIC_STATUSES,
    )
    try:
        lang = _lang(request)
    except BadFilter as exc:
        return _bad_filter(exc)
    return _feed_response(
        request,
        key=_key(request, f"event:{event.pk}"),
        name=event_title(event, lang),
        filename=f"lasrum-evenemang-{event.pk}.ics",
        sessions=selectors.sessions_in_feed(Event.objects.filter(pk=event.pk)),
        options=FeedOptions(lang=lang, base_url=settings.PUBLIC_BASE_URL, audience="public"),
    )


@require_safe
def library_feed(request, library_id: int):
    library = get_object_or_404(Library.objects.only("name"), pk=library_id)
    return _public_feed(
        request,
        queryset=Event.objects.filter(library_id=library.pk),
        key=f"library:{library.pk}",
        name=_("Läsrum – %(name)s") % {"name": library.name},
        filename=f"lasrum-bibliotek-{library.pk}.ics",
    )


@require_safe
def municipality_feed(request, code: str):
    municipality = get_object_or_404(Municipality, pk=code)
    return _public_feed(
        request,
        queryset=Event.objects.filter(library__municipality=municipality),
        key=f"municipality:{municipality.pk}",
        name=_("Läsrum – %(name)s") % {"name": municipality.name},
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
        name=_("Läsrum – min kalender"),
        filename="lasrum-privat.ics",
        sessions=selectors.sessions_in_feed(selectors.user_events(user)),
        date_options=selectors.user_date_options(user),
        options=FeedOptions(lang=lang, base_url=settings.PUBLIC_BASE_URL, audience=audience),
        private=True,
    )


@require_safe
def booking_feed(request, token: str):
    """A booking's own read-only calendar: its sessions with a reminder (VALARM)."""
    booking = booking_by_calendar_token(token)
    if booking is None:
        return _not_found()
    try:
        lang = _lang(request, default=booking.language)
    except BadFilter as exc:
        return _bad_filter(exc)
    sessions = selectors.sessions_in_feed(Event.objects.filter(pk=booking.event_id)).filter(
        pk__in=selectors.booking_sessions(booking).values("pk")
    )
    cutoff = timezone.now() - timedelta(days=settings.CANCELLED_IN_FEED_DAYS)
    if booking.status in (Booking.Status.CANCELLED, Booking.Status.EXPIRED):
        ended = booking.cancelled_at or booking.updated_at
        if ended < cutoff:
            sessions = sessions.none()
    return _feed_response(
        request,
        key=_key(request, f"booking:{booking.pk}"),
        name=event_title(booking.event, lang),
        filename="lasrum-bokning.ics",
        sessions=sessions,
        extra=(booking.status, booking.updated_at),
        options=FeedOptions(
            lang=lang,
            base_url=settings.PUBLIC_BASE_URL,
            audience="booking",
            alarm_before=ALARM_BEFORE,
            booking=booking,
        ),
        private=True,
    )
