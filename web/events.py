"""Reads for the public pages: the listing in a constant number of queries, one event with
what its page shows, and how an event and its sessions are presented (texts in the right
language, seats left, whether booking is open)."""

import json
from dataclasses import dataclass
from urllib.parse import quote_plus

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from booking.errors import BookingNotOpen
from booking.models import Event, Session
from booking.selectors.booking_target import (
    event_books_whole_series,
    series_sessions_of,
    series_sessions_prefetch,
)
from booking.selectors.events import event_list, events_with_sessions
from booking.selectors.places import location_text, place_of
from booking.selectors.texts import (
    event_description,
    event_description_language,
    event_title,
    event_title_language,
)
from booking.services.bookings import booking_window_refusal


def listed_events(*, now=None) -> QuerySet:
    """Published public events with a scheduled session still to come, soonest first, with
    everything a card shows in a constant number of queries (booking.selectors.events)."""
    now = now or timezone.now()
    upcoming = Session.objects.filter(event=OuterRef("pk"), start__gte=now, status=Session.Status.SCHEDULED)
    return events_with_sessions(
        event_list(now=now).filter(Exists(upcoming)), sessions_after=now, include_cancelled_sessions=False
    ).prefetch_related(series_sessions_prefetch())


def upcoming_sessions(event: Event, *, now=None) -> list[Session]:
    """The prefetched sessions of a listed event that have not started yet."""
    now = now or timezone.now()
    return [s for s in event.sessions.all() if s.start >= now]


def event_for_page(event_id: int) -> Event | None:
    """One event for its public page: published (or cancelled, shown as such), public or
    unlisted. Private events and drafts do not exist for the public."""
    return (
        Event.objects.public()
        .filter(pk=event_id)
        .select_related("library__municipality", "room")
        .prefetch_related(
            "audiences",
            "languages",
            "accessibility_features",
            "priority_groups",
            "room__accessibility_features",
        )
        .first()
    )


def event_sessions(event: Event, *, now=None) -> list[Session]:
    """The sessions still to come, cancelled ones included (shown as cancelled)."""
    now = now or timezone.now()
    return list(Session.objects.filter(event=event, start__gte=now).order_by("start", "pk"))


# --- presentation ---------------------------------------------------------------------------
@dataclass
class Texts:
    title: str
    title_lang: str
    description: str
    description_lang: str


def event_texts(event: Event, language: str | None = None) -> Texts:
    """The title and description to show on a page in `language`: its own version where there
    is one, else the event's own text, marked with the language it is written in."""
    language = (language or get_language() or "sv")[:2]
    return Texts(
        event_title(event, language),
        event_title_language(event, language),
        event_description(event, language),
        event_description_language(event, language),
    )


@dataclass
class SeatStatus:
    code: str  # "left", "waitlist", "full", "cancelled", "closed"
    seats_left: int
    label: str


def booking_open(event: Event, session: Session, *, now=None) -> bool:
    """Can this session be booked now? The service's booking window (booking_window_refusal)."""
    return booking_window_refusal(event=event, sessions=[session], now=now or timezone.now()) is None


def seat_status(event: Event, sessions: list[Session], *, now=None) -> SeatStatus:
    """For a card or a session row: "3 platser kvar", "Väntelista", "Fullbokat". A series is
    as full as its fullest session and open as its booking window (series_sessions_of: every
    scheduled session, the ones passed too, as booking_create books them); a single session
    as itself."""
    live = [s for s in sessions if s.status == Session.Status.SCHEDULED]
    booked = series_sessions_of(event) if live and event_books_whole_series(event) else live[:1]
    if event.status == Event.Status.CANCELLED or not booked:
        return SeatStatus("cancelled", 0, _("Inställt"))
    left = min(s.seats_left for s in booked)
    refusal = booking_window_refusal(event=event, sessions=booked, now=now or timezone.now())
    if refusal is BookingNotOpen:
        return SeatStatus("closed", left, _("Bokningen har inte öppnat"))
    if refusal is not None:
        return SeatStatus("closed", left, _("Bokningen har stängt"))
    if left > 0:
        return SeatStatus(
            "left", left, ngettext("%(count)s plats kvar", "%(count)s platser kvar", left) % {"count": left}
        )
    if event.waitlist_mode != Event.WaitlistMode.NONE:
        return SeatStatus("waitlist", 0, _("Väntelista"))
    return SeatStatus("full", 0, _("Fullbokat"))


def address_line(event: Event) -> str:
    """The street address the public may be told (verified only: booking.selectors.places)."""
    return place_of(event.library).address_line


def map_url(event: Event) -> str:
    """An OpenStreetMap search for the library's verified address (or its name and town, where
    the address is not verified). A link, never an embedded map: nothing loads from elsewhere."""
    return f"https://www.openstreetmap.org/search?query={quote_plus(location_text(event.library))}"


def absolute(path: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}{path}"


_SCHEMA_STATUS = {
    Session.Status.SCHEDULED: "https://schema.org/EventScheduled",
    Session.Status.CANCELLED: "https://schema.org/EventCancelled",
}


_SCHEMA_ATTENDANCE = {
    Event.AttendanceMode.OFFLINE: "https://schema.org/OfflineEventAttendanceMode",
    Event.AttendanceMode.ONLINE: "https://schema.org/OnlineEventAttendanceMode",
    Event.AttendanceMode.MIXED: "https://schema.org/MixedEventAttendanceMode",
}


def _location(event: Event, place: dict):
    """The place, a VirtualLocation, or both. The VirtualLocation's url is the event's page,
    never the meeting link (online_url is for confirmed bookers only)."""
    virtual = {"@type": "VirtualLocation", "url": absolute(event.get_absolute_url())}
    if event.attendance_mode == Event.AttendanceMode.ONLINE:
        return virtual
    if event.attendance_mode == Event.AttendanceMode.MIXED:
        return [place, virtual]
    return place


def event_json_ld(event: Event, sessions: list[Session], texts: Texts) -> str:
    """schema.org Event data, one per session to come, for search engines. Escaped so that no
    text can close the script element it sits in."""
    library = event.library
    place = place_of(library)
    address = {
        "@type": "PostalAddress",
        "addressLocality": place.locality,
        "addressRegion": library.municipality.region.name if library.municipality.region_id else "",
        "addressCountry": "SE",
    }
    if place.street_address:
        address["streetAddress"] = place.street_address
    if place.postal_code:
        address["postalCode"] = place.postal_code
    organizer = {"@type": "Organization", "name": library.name}
    if place.email:
        organizer["email"] = place.email
    if place.phone:
        organizer["telephone"] = place.phone
    items = []
    for session in sessions[:20]:
        status = seat_status(event, [session])
        cancelled = event.status == Event.Status.CANCELLED or session.status == Session.Status.CANCELLED
        items.append(
            {
                "@context": "https://schema.org",
                "@type": "Event",
                "name": texts.title,
                "description": texts.description[:500],
                "inLanguage": [language.tag for language in event.languages.all()]
                or [event.content_language],
                "startDate": timezone.localtime(session.start).isoformat(),
                "endDate": timezone.localtime(session.end).isoformat(),
                "eventStatus": _SCHEMA_STATUS[
                    Session.Status.CANCELLED if cancelled else Session.Status.SCHEDULED
                ],
                "eventAttendanceMode": _SCHEMA_ATTENDANCE[event.attendance_mode],
                "isAccessibleForFree": True,
                "url": absolute(event.get_absolute_url()),
                "location": _location(event, {"@type": "Place", "name": library.name, "address": address}),
                "organizer": organizer,
                "offers": {
                    "@type": "Offer",
                    "price": "0",
                    "priceCurrency": "SEK",
                    "url": absolute(event.get_absolute_url()),
                    "availability": "https://schema.org/InStock"
                    if status.code == "left"
                    else "https://schema.org/SoldOut",
                },
            }
        )
    text = json.dumps(items, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
