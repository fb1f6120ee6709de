"""Build iCalendar feeds with icalendar 7, deterministically.

Every VEVENT gets its UID and DTSTAMP from the database (icalendar's `Event.new()` would
invent a random UID and stamp "now"), so two renders of unchanged data are byte-identical and
a client never sees a session twice. Times carry TZID=Europe/Stockholm and the calendar its
VTIMEZONE, generated for the feed's own years only (not 1970–2038).

Reading circles are published as one VEVENT per session, not as an RRULE with RECURRENCE-ID
overrides: the sessions in the database are the truth (moved and cancelled ones included), each
occurrence keeps its own UID and SEQUENCE, and clients that mishandle RECURRENCE-ID across DST
(or drop overrides of a rule they re-expand) have nothing to get wrong. The price is a few
hundred bytes per session, which caching and conditional GET make cheap.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.utils import translation
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event, Timezone, vText

from booking.models import Booking, Session, VisitDateOption
from booking.models import Event as EventRow

TZID = "Europe/Stockholm"
LOCAL = ZoneInfo(TZID)
PRODID = "-//Läsrum//Kalenderflöden//SV"
# Bumped when the output format changes, so that cached copies (ETags) are invalidated.
FORMAT_VERSION = "1"

# The prefix must reach the user even when a catalogue lags behind: Google hides
# STATUS:CANCELLED, so the title is the only place a subscriber sees it. Kept as data.
CANCELLED_PREFIX = {"sv": "INSTÄLLT: ", "en": "CANCELLED: "}


@dataclass
class FeedOptions:
    """How to render: language, audience of the feed (public, creator, staff), alarms."""

    lang: str = "sv"
    base_url: str = ""
    audience: str = "public"  # "public", "creator", "staff" or "booking"
    alarm_before: timedelta | None = None
    booking: Booking | None = None
    _labels: dict = field(default_factory=dict)


class SessionKey(NamedTuple):
    """What a session's VEVENT depends on, read without loading the rows."""

    pk: int
    uid: uuid.UUID
    sequence: int
    status: str
    event_status: str
    start: datetime
    end: datetime
    updated_at: datetime
    event_updated_at: datetime
    library_updated_at: datetime


class _LRU:
    """A bounded in-process cache of serialised VEVENTs (bytes).

    In process rather than Django's cache: a feed needs thousands of small entries at once,
    which a network round trip per entry (or locmem's 300-entry default) would defeat.
    Entries expire after a TTL, bounding staleness for changes that leave no update time
    (a renamed room, a relabelled code)."""

    def __init__(self, size: int, ttl: float):
        self.size, self.ttl = size, ttl
        self.data: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get_many(self, keys) -> dict:
        now = time.monotonic()
        out = {}
        with self.lock:
            for key in keys:
                hit = self.data.get(key)
                if hit is not None and hit[0] > now:
                    self.data.move_to_end(key)
                    out[key] = hit[1]
        return out

    def set(self, key, value: bytes) -> None:
        with self.lock:
            self.data[key] = (time.monotonic() + self.ttl, value)
            self.data.move_to_end(key)
            while len(self.data) > self.size:
                self.data.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.data.clear()


VEVENT_CACHE = _LRU(size=50_000, ttl=3600)


@lru_cache(maxsize=32)
def _vtimezone(first_year: int, last_year: int) -> Timezone:
    """The Europe/Stockholm VTIMEZONE for whole years (cached: generating it is slow)."""
    return Timezone.from_tzid(TZID, first_date=date(first_year, 1, 1), last_date=date(last_year + 1, 1, 1))


def labels_for(lang: str) -> dict[str, str]:
    """Translated words, looked up once per render rather than once per session."""
    with translation.override(lang):
        return {
            "no_address": _("adress saknas"),
            "audiences": _("Målgrupp"),
            "languages": _("Språk"),
            "accessibility": _("Tillgänglighet"),
            "easy_to_read": _("Lättläst"),
            "more": _("Mer information och bokning"),
            "contact": _("Kontaktperson"),
            "room": _("Lokal"),
            "status": _("Status"),
            "visibility": _("Synlighet"),
            "option": _("Datumförslag"),
            "reminder": _("Påminnelse"),
            "kinds": {value: str(label) for value, label in EventRow.Kind.choices},
            "statuses": {value: str(label) for value, label in EventRow.Status.choices},
            "visibilities": {value: str(label) for value, label in EventRow.Visibility.choices},
            "formats": {value: str(label) for value, label in _visit_formats()},
        }


def _visit_formats():
    from booking.models import VisitRequest

    return VisitRequest.Format.choices


def _code_names(event: EventRow, name: str, lang: str) -> list[str]:
    """Names of an event's codes (audiences, languages, accessibility_features): from the
    rows selectors.load_sessions attached, else from the database."""
    loaded = getattr(event, "feed_codes", None)
    if loaded is not None:
        rows = loaded.get(name, ())
    else:
        rows = [(c.name_sv, c.name_en) for c in getattr(event, name).all()]
    return [(name_en if lang == "en" and name_en else name_sv) for name_sv, name_en in rows]


def event_title(event: EventRow, lang: str) -> str:
    translated = event.title_en if lang == "en" else event.title_sv
    return translated or event.title


def _description_text(event: EventRow, lang: str) -> str:
    translated = event.description_en if lang == "en" else event.description_sv
    return translated or event.description


def location_text(library, labels: dict, room=None) -> str:
    """Library name, room, and the address — or an honest "adress saknas"."""
    parts = [library.name]
    if room is not None and room.name:
        parts.append(room.name)
    if library.street_address:
        parts.append(library.street_address)
        place = " ".join(p for p in (library.postal_code, library.city) if p)
        if place:
            parts.append(place)
    else:
        parts.append(labels["no_address"])
    return ", ".join(parts)


def _contact_lines(library, labels: dict) -> list[str]:
    contact = ", ".join(p for p in (library.contact_person, library.phone, library.email) if p)
    return [f"{labels['contact']}: {contact}"] if contact else []


def is_cancelled(session: Session) -> bool:
    return session.status == Session.Status.CANCELLED or session.event.status == EventRow.Status.CANCELLED


class FeedBuilder:
    """Turns sessions (with event, library and room loaded, codes prefetched) into VEVENTs."""

    def __init__(self, options: FeedOptions):
        self.options = options
        self.labels = labels_for(options.lang)
        self.components: list[Event] = []
        self.chunks: list[bytes] = []
        self.first: datetime | None = None
        self.last: datetime | None = None

    def _span(self, start: datetime, end: datetime) -> None:
        if self.first is None or start < self.first:
            self.first = start
        if self.last is None or end > self.last:
            self.last = end

    def add_session(self, session: Session) -> None:
        self.chunks.append(self.session_vevent(session).to_ical())
        self._span(session.start, session.end)

    def add_sessions(self, keys: list[SessionKey], load) -> None:
        """Add sessions in `keys` order, serialising only those not in the VEVENT cache.

        `load(pks)` returns {pk: Session} for the misses, loaded in a fixed number of queries.
        A cached VEVENT is keyed by everything its bytes depend on (the rows' update times,
        the language and the kind of feed), so a change anywhere renders that session anew."""
        cache_keys = [self._cache_key(key) for key in keys]
        found = VEVENT_CACHE.get_many(cache_keys)
        missing = [key.pk for key, cache_key in zip(keys, cache_keys, strict=True) if cache_key not in found]
        loaded = load(missing) if missing else {}
        for key, cache_key in zip(keys, cache_keys, strict=True):
            chunk = found.get(cache_key)
            if chunk is None:
                session = loaded.get(key.pk)
                if session is None:  # deleted between the two queries
                    continue
                chunk = self.session_vevent(session).to_ical()
                VEVENT_CACHE.set(cache_key, chunk)
            self.chunks.append(chunk)
            self._span(key.start, key.end)

    def _cache_key(self, key: SessionKey) -> tuple:
        booking = self.options.booking
        return (
            FORMAT_VERSION,
            self.options.audience,
            self.options.lang,
            self.options.base_url,
            booking.status if booking is not None else "",
            *key,
        )

    def session_vevent(self, session: Session) -> Event:
        options, labels, lang = self.options, self.labels, self.options.lang
        event = session.event
        library = event.library
        room = session.room if options.audience != "public" else None
        cancelled = is_cancelled(session)
        status = "CONFIRMED"
        if cancelled:
            status = "CANCELLED"
        elif event.status == EventRow.Status.DRAFT:
            status = "TENTATIVE"
        elif options.booking is not None:
            if options.booking.status in (Booking.Status.CANCELLED, Booking.Status.EXPIRED):
                status, cancelled = "CANCELLED", True
            elif options.booking.status != Booking.Status.CONFIRMED:
                status = "TENTATIVE"
        summary = event_title(event, lang)
        if cancelled:
            summary = CANCELLED_PREFIX.get(lang, CANCELLED_PREFIX["sv"]) + summary
        url = options.base_url + event.get_absolute_url()
        audiences = _code_names(event, "audiences", lang)

        lines = []
        text = _description_text(event, lang).strip()
        if text:
            lines += [text, ""]
        if audiences:
            lines.append(f"{labels['audiences']}: {', '.join(audiences)}")
        languages = _code_names(event, "languages", lang)
        if languages:
            lines.append(f"{labels['languages']}: {', '.join(languages)}")
        if event.easy_to_read:
            lines.append(labels["easy_to_read"])
        features = _code_names(event, "accessibility_features", lang)
        if features:
            lines.append(f"{labels['accessibility']}: {', '.join(features)}")
        if options.audience in ("creator", "staff"):
            lines += _contact_lines(library, labels)
        if options.audience == "staff":
            lines.append(
                f"{labels['status']}: {labels['statuses'][event.status]}, "
                f"{labels['visibility']}: {labels['visibilities'][event.visibility]}"
            )
        lines.append(f"{labels['more']}: {url}")

        stamp = max(session.updated_at, event.updated_at)
        start = session.start.astimezone(LOCAL)
        end = session.end.astimezone(LOCAL)
        vevent = _vevent(
            uid=session_uid(session),
            stamp=stamp,
            sequence=session.sequence,
            start=start,
            end=end,
            summary=summary,
            description="\n".join(lines),
            location=location_text(library, labels, room),
            url=url,
            status=status,
            categories=[labels["kinds"].get(event.kind, event.kind), *audiences],
        )
        if library.latitude is not None and library.longitude is not None:
            vevent.add("GEO", (float(library.latitude), float(library.longitude)))
        if event.visibility == EventRow.Visibility.PRIVATE:
            vevent.add("CLASS", "PRIVATE")
        if options.alarm_before and not cancelled:
            alarm = Alarm.new(description=summary)
            alarm.add("ACTION", "DISPLAY")
            alarm.add("TRIGGER", -options.alarm_before)
            vevent.add_component(alarm)
        return vevent

    def add_date_option(self, option: VisitDateOption) -> None:
        """A visit request's proposed date: TENTATIVE until a creator accepts one."""
        labels = self.labels
        request = option.request
        title = request.title or labels["formats"].get(request.format, request.format)
        start = option.start.astimezone(LOCAL)
        end = option.end.astimezone(LOCAL)
        lines = [f"{labels['option']}: {title}"]
        lines += _contact_lines(request.library, labels)
        vevent = _vevent(
            uid=f"visit-option-{option.pk}@lasrum",
            stamp=request.updated_at,
            sequence=0,
            start=start,
            end=end,
            summary=f"{labels['option']}: {title}",
            description="\n".join(lines),
            location=location_text(request.library, labels, request.room),
            status="TENTATIVE",
        )
        vevent.add("TRANSP", "TRANSPARENT")
        self.components.append(vevent)
        self._span(start, end)

    def render(self, *, name: str, key: str) -> bytes:
        """The whole calendar as bytes (CRLF, folded at 75 octets by icalendar)."""
        calendar = Calendar.new(
            prodid=PRODID,
            method="PUBLISH",
            name=name,
            # A stable calendar UID per feed (Calendar.new would invent a random one).
            uid=str(uuid.uuid5(uuid.NAMESPACE_URL, "lasrum:" + key)),
        )
        calendar.add("X-WR-TIMEZONE", TZID)
        # icalendar's refresh_interval setter leaves out VALUE=DURATION, which RFC 7986 requires.
        calendar.add("REFRESH-INTERVAL", timedelta(hours=1), parameters={"VALUE": "DURATION"})
        # As a timedelta X-PUBLISHED-TTL would serialise with parameters; Outlook wants it bare.
        calendar.add("X-PUBLISHED-TTL", vText("PT1H"))
        if self.first is not None:
            first, last = self.first.astimezone(LOCAL), self.last.astimezone(LOCAL)
            calendar.add_component(_vtimezone(first.year, last.year))
        for component in self.components:
            calendar.add_component(component)
        head = calendar.to_ical()
        end = b"END:VCALENDAR\r\n"
        assert head.endswith(end)
        # The VEVENTs were serialised one by one (and maybe cached): splice them in.
        return b"".join((head[: -len(end)], *self.chunks, end))


def _vevent(*, uid: str, stamp: datetime, sequence: int, start, end, categories=(), **texts) -> Event:
    """A VEVENT with every property given: UID and DTSTAMP from the database, never invented.

    Event() and add() rather than Event.new(): the same bytes (icalendar orders properties
    canonically), about a quarter faster, and nothing to forget that new() would fill in
    with a random UID or the current time."""
    vevent = Event()
    vevent.add("UID", uid)
    vevent.add("DTSTAMP", stamp)
    vevent.add("LAST-MODIFIED", stamp)
    vevent.add("SEQUENCE", sequence)
    vevent.add("DTSTART", start)
    vevent.add("DTEND", end)
    for name, value in texts.items():
        if value:  # no empty properties
            vevent.add(name.upper(), value)
    if categories:
        vevent.add("CATEGORIES", list(categories))
    return vevent


def session_uid(session: Session) -> str:
    return f"{session.uid}@lasrum"


def feed_render(
    *,
    name: str,
    key: str,
    options: FeedOptions,
    sessions: Iterable[Session] = (),
    session_keys: list[SessionKey] | None = None,
    load=None,
    date_options=(),
) -> bytes:
    """Render a feed from loaded sessions, or from `session_keys` and a `load(pks)` that is
    called only for the sessions the VEVENT cache does not hold."""
    builder = FeedBuilder(options)
    for session in sessions:
        builder.add_session(session)
    if session_keys:
        builder.add_sessions(session_keys, load)
    for option in date_options:
        builder.add_date_option(option)
    return builder.render(name=name, key=key)
