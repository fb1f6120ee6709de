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

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
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


def _code_names(codes, lang: str) -> list[str]:
    return [(code.name_en if lang == "en" and code.name_en else code.name_sv) for code in codes]


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
        self.first: datetime | None = None
        self.last: datetime | None = None

    def _span(self, start: datetime, end: datetime) -> None:
        if self.first is None or start < self.first:
            self.first = start
        if self.last is None or end > self.last:
            self.last = end

    def add_session(self, session: Session) -> None:
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
        audiences = _code_names(event.audiences.all(), lang)

        lines = []
        text = _description_text(event, lang).strip()
        if text:
            lines += [text, ""]
        if audiences:
            lines.append(f"{labels['audiences']}: {', '.join(audiences)}")
        languages = _code_names(event.languages.all(), lang)
        if languages:
            lines.append(f"{labels['languages']}: {', '.join(languages)}")
        if event.easy_to_read:
            lines.append(labels["easy_to_read"])
        features = _code_names(event.accessibility_features.all(), lang)
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
        vevent = Event.new(
            uid=session_uid(session),
            stamp=stamp,
            last_modified=stamp,
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
        self.components.append(vevent)
        self._span(start, end)

    def add_date_option(self, option: VisitDateOption) -> None:
        """A visit request's proposed date: TENTATIVE until a creator accepts one."""
        labels = self.labels
        request = option.request
        title = request.title or labels["formats"].get(request.format, request.format)
        start = option.start.astimezone(LOCAL)
        end = option.end.astimezone(LOCAL)
        lines = [f"{labels['option']}: {title}"]
        lines += _contact_lines(request.library, labels)
        vevent = Event.new(
            uid=f"visit-option-{option.pk}@lasrum",
            stamp=request.updated_at,
            last_modified=request.updated_at,
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
            calendar.add_component(_vtimezone(self.first.year, self.last.year))
        for component in self.components:
            calendar.add_component(component)
        return calendar.to_ical()


def session_uid(session: Session) -> str:
    return f"{session.uid}@lasrum"


def feed_render(
    *, name: str, key: str, sessions: Iterable[Session], options: FeedOptions, date_options=()
) -> bytes:
    builder = FeedBuilder(options)
    for session in sessions:
        builder.add_session(session)
    for option in date_options:
        builder.add_date_option(option)
    return builder.render(name=name, key=key)
