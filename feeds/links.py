"""Links the pages offer: "Prenumerera" (webcal:// and https) for a filter set, and
"Lägg till i kalender" for one event (its .ics and a Google Calendar template link).

Subscribed calendars refresh on the client's schedule (Google: many hours), so the pages say
that bookers are told of changes by e-mail or SMS (templates/feeds/_subscribe_note.html).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse

from booking.filters import EventFilter
from booking.selectors.texts import event_title
from feeds.ical.texts import labels_for, location_text

FILTER_NAMES = tuple(EventFilter.base_filters)
UTC = ZoneInfo("UTC")


@dataclass(frozen=True)
class SubscribeLinks:
    https: str  # for "copy the address" and Outlook/Google's "from URL"
    webcal: str  # opens the calendar app directly (Apple, Outlook, Thunderbird)
    google: str  # Google Calendar's "add by URL" page


def _absolute(path: str, params: dict | None = None) -> str:
    query = urlencode(sorted((k, v) for k, v in (params or {}).items() if v not in (None, "")))
    return settings.PUBLIC_BASE_URL + path + (f"?{query}" if query else "")


def _webcal(url: str) -> str:
    return "webcal://" + url.split("://", 1)[1]


def _links(url: str) -> SubscribeLinks:
    google = "https://calendar.google.com/calendar/r?" + urlencode({"cid": _webcal(url)})
    return SubscribeLinks(https=url, webcal=_webcal(url), google=google)


def subscribe_links(params=None, *, lang: str = "sv") -> SubscribeLinks:
    """Links to /feeds/events.ics with the listing's filters (unknown parameters dropped)."""
    params = params or {}
    kept = {name: params.get(name) for name in FILTER_NAMES if params.get(name) not in (None, "")}
    if lang != "sv":
        kept["lang"] = lang
    return _links(_absolute(reverse("feeds:events"), kept))


def library_subscribe_links(library_id: int, *, lang: str = "sv") -> SubscribeLinks:
    return _links(
        _absolute(
            reverse("feeds:library", kwargs={"library_id": library_id}),
            {"lang": lang if lang != "sv" else None},
        )
    )


def municipality_subscribe_links(code: str, *, lang: str = "sv") -> SubscribeLinks:
    return _links(
        _absolute(
            reverse("feeds:municipality", kwargs={"code": code}), {"lang": lang if lang != "sv" else None}
        )
    )


def event_ics_url(event, *, lang: str = "sv") -> str:
    """The .ics of one event's sessions (also for an unlisted event: bookable by link)."""
    return _absolute(
        reverse("feeds:event", kwargs={"event_id": event.pk}), {"lang": lang if lang != "sv" else None}
    )


def _google_time(value) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def google_calendar_url(event, session, *, lang: str = "sv") -> str:
    """Google Calendar's template link for one session ("Lägg till i kalender")."""
    params = {
        "action": "TEMPLATE",
        "text": event_title(event, lang),
        "dates": f"{_google_time(session.start)}/{_google_time(session.end)}",
        "ctz": "Europe/Stockholm",
        "details": settings.PUBLIC_BASE_URL + event.get_absolute_url(),
        "location": location_text(event.library, labels_for(lang)),
    }
    return "https://calendar.google.com/calendar/render?" + urlencode(params)
