"""Build iCalendar feeds, deterministically, with icalendar 7 for the calendar and a fast writer
for the VEVENTs.

Every VEVENT gets its UID and DTSTAMP from the database (icalendar's `Event.new()` would
invent a random UID and stamp "now"), so two renders of unchanged data are byte-identical and
a client never sees a session twice. Times carry TZID=Europe/Stockholm and the calendar its
VTIMEZONE, generated for the feed's own years only (not 1970–2038).

Reading circles are published as one VEVENT per session, not as an RRULE with RECURRENCE-ID
overrides: the sessions in the database are the truth (moved and cancelled ones included), each
occurrence keeps its own UID and SEQUENCE, and clients that mishandle RECURRENCE-ID across DST
(or drop overrides of a rule they re-expand) have nothing to get wrong. The price is a few
hundred bytes per session, which conditional GET makes cheap.

Speed: icalendar serialises a property by building objects and folding the line one character
at a time, about 0.5 ms per VEVENT, which made a 2,000-session feed slower than django-ical.
So icalendar writes the calendar, its properties and the VTIMEZONE, while the VEVENTs are
written here: everything that is the same for every session of an event (SUMMARY, DESCRIPTION,
LOCATION, URL, CATEGORIES, GEO, CLASS, STATUS, VALARM) is escaped and folded once per event,
and a session adds only its times, UID and SEQUENCE. The output is byte for byte what
icalendar writes for the same VEVENT (`vevent_icalendar` builds that reference; the tests
compare the two over awkward text), so no client sees a difference.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.utils import translation
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event, Timezone, vDuration, vText

from booking.models import Booking, Session, VisitDateOption
from booking.models import Event as EventRow
from booking.selectors.online import online_url_for
from booking.selectors.texts import event_description, event_title
from booking.services.events import session_date_window

TZID = "Europe/Stockholm"
LOCAL = ZoneInfo(TZID)
PRODID = "-//Läsrum//Kalenderflöden//SV"
# Bumped when the output format changes, so that cached copies (ETags) are invalidated.
FORMAT_VERSION = "1"

# The prefix must reach the user even when a catalogue lags behind: Google hides
# STATUS:CANCELLED, so the title is the only place a subscriber sees it. Kept as data.
CANCELLED_PREFIX = {"sv": "INSTÄLLT: ", "en": "CANCELLED: "}
# A booking its booker cancelled, in its own calendar: the event still takes place.
BOOKER_CANCELLED_PREFIX = {"sv": "AVBOKAD: ", "en": "CANCELLED BY YOU: "}

_BOOKING_GONE = (Booking.Status.CANCELLED, Booking.Status.EXPIRED)


@dataclass
class FeedOptions:
    """How to render: language, audience of the feed (public, creator, staff), alarms."""

    lang: str = "sv"
    base_url: str = ""
    audience: str = "public"  # "public", "creator", "staff" or "booking"
    alarm_before: timedelta | None = None
    booking: Booking | None = None


class SessionKey(NamedTuple):
    """A session as its VEVENT needs it, read in one query without loading model instances
    (selectors.session_keys); the event comes separately, once per event."""

    pk: int
    uid: uuid.UUID
    sequence: int
    status: str
    event_id: int
    room_name: str | None
    start: datetime
    end: datetime
    updated_at: datetime


# ---------------------------------------------------------------------------------------------
# Writing content lines (RFC 5545 §3.1 and §3.3.11), exactly as icalendar 7 writes them.

# icalendar folds before a line would reach 75 octets: at most 74 on the first physical line,
# and a space plus at most 74 on each continuation line, i.e. never more than 75.
FOLD_OCTETS = 74
_CONTINUATION = b"\r\n "
_ESCAPES_KEPT_WITH_NEXT = b"\\^"  # TEXT backslash and RFC 6868 caret escapes


# Control characters other than line breaks and tabs: never valid in a content line, so a text
# that holds one (written before the services cleaned every text) loses it rather than the feed.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def ical_text(value: str) -> str:
    """Escape a TEXT value: backslash, semicolon, comma and line breaks (as `\\n`).

    The same replacements in the same order as icalendar's own escaping (a literal `\\N` is
    read as a line break, and CRLF, LF and a lone CR all become `\\n`)."""
    return (
        _CONTROL.sub("", value)
        .replace("\\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> bytes:
    """A content line as UTF-8, folded at 74 octets per chunk without splitting a character.

    Works on the encoded bytes a chunk at a time (not a character at a time): a cut that
    would land inside a multi-byte character moves back to the character's first byte, and,
    like icalendar, a cut right after a backslash or caret moves back one more so that an
    escape stays whole on the next line."""
    data = line.encode()
    size = len(data)
    if size <= FOLD_OCTETS:
        return data
    chunks = []
    begin = 0
    while size - begin > FOLD_OCTETS:
        cut = begin + FOLD_OCTETS
        while data[cut] & 0xC0 == 0x80:  # a UTF-8 continuation byte
            cut -= 1
        if cut - 1 > begin and data[cut - 1] in _ESCAPES_KEPT_WITH_NEXT:
            cut -= 1
        chunks.append(data[begin:cut])
        begin = cut
    chunks.append(data[begin:])
    return _CONTINUATION.join(chunks)


def content_line(name: str, value: str) -> bytes:
    """`NAME:value` folded, with its CRLF; `value` is already escaped for its type."""
    return fold(f"{name}:{value}") + b"\r\n"


def _utc_text(moment: datetime) -> str:
    m = moment.astimezone(UTC)
    return f"{m.year:04}{m.month:02}{m.day:02}T{m.hour:02}{m.minute:02}{m.second:02}Z"


def _local_text(moment: datetime) -> str:
    m = moment.astimezone(LOCAL)
    return f"{m.year:04}{m.month:02}{m.day:02}T{m.hour:02}{m.minute:02}{m.second:02}"


@dataclass(frozen=True)
class VeventTexts:
    """What a VEVENT says apart from its UID, stamps, SEQUENCE and times: the same for every
    session of an event (per room and per cancelled or not). Empty values are left out."""

    summary: str
    description: str = ""
    location: str = ""
    status: str = ""
    url: str = ""
    categories: tuple[str, ...] = ()
    geo: tuple[float, float] | None = None
    private: bool = False
    transparent: bool = False
    alarm_before: timedelta | None = None


class VeventTemplate(NamedTuple):
    """A VEVENT's constant lines, escaped and folded, around the per-session ones. icalendar
    orders properties SUMMARY, DTSTART, DTEND, DTSTAMP, UID, SEQUENCE, then alphabetically,
    then subcomponents; the per-session LAST-MODIFIED falls between GEO and LOCATION."""

    head: bytes  # BEGIN:VEVENT, SUMMARY
    middle: bytes  # CATEGORIES, CLASS, DESCRIPTION, GEO
    tail: bytes  # LOCATION, STATUS, TRANSP, URL, VALARM, END:VEVENT


def vevent_template(texts: VeventTexts) -> VeventTemplate:
    head = [b"BEGIN:VEVENT\r\n"]
    if texts.summary:
        head.append(content_line("SUMMARY", ical_text(texts.summary)))
    middle = []
    if texts.categories:
        middle.append(content_line("CATEGORIES", ",".join(ical_text(c) for c in texts.categories)))
    if texts.private:
        middle.append(b"CLASS:PRIVATE\r\n")
    if texts.description:
        middle.append(content_line("DESCRIPTION", ical_text(texts.description)))
    if texts.geo is not None:
        latitude, longitude = texts.geo
        middle.append(content_line("GEO", f"{float(latitude)};{float(longitude)}"))
    tail = []
    if texts.location:
        tail.append(content_line("LOCATION", ical_text(texts.location)))
    if texts.status:
        tail.append(content_line("STATUS", ical_text(texts.status)))
    if texts.transparent:
        tail.append(b"TRANSP:TRANSPARENT\r\n")
    if texts.url:
        tail.append(content_line("URL", texts.url))  # a URI is written as it is
    if texts.alarm_before:
        tail += [
            b"BEGIN:VALARM\r\nACTION:DISPLAY\r\n",
            content_line("DESCRIPTION", ical_text(texts.summary)),
            b"TRIGGER:" + vDuration(-texts.alarm_before).to_ical() + b"\r\n",
            b"END:VALARM\r\n",
        ]
    tail.append(b"END:VEVENT\r\n")
    return VeventTemplate(b"".join(head), b"".join(middle), b"".join(tail))


def vevent_bytes(
    template: VeventTemplate, *, uid: str, stamp: datetime, sequence: int, start: datetime, end: datetime
) -> bytes:
    """One session's VEVENT: its own lines between the template's constant ones."""
    stamp_text = _utc_text(stamp)
    return b"".join(
        (
            template.head,
            (
                f"DTSTART;TZID={TZID}:{_local_text(start)}\r\n"
                f"DTEND;TZID={TZID}:{_local_text(end)}\r\n"
                f"DTSTAMP:{stamp_text}\r\n"
            ).encode(),
            content_line("UID", ical_text(uid)),
            f"SEQUENCE:{sequence}\r\n".encode(),
            template.middle,
            f"LAST-MODIFIED:{stamp_text}\r\n".encode(),
            template.tail,
        )
    )


def vevent_icalendar(
    texts: VeventTexts, *, uid: str, stamp: datetime, sequence: int, start: datetime, end: datetime
) -> Event:
    """The same VEVENT built with icalendar: the reference `vevent_bytes` is tested against.

    Event() and add() rather than Event.new(): nothing to forget that new() would fill in
    with a random UID or the current time. DTSTAMP is UTC, as RFC 5545 requires."""
    stamp = stamp.astimezone(UTC)
    vevent = Event()
    vevent.add("UID", uid)
    vevent.add("DTSTAMP", stamp)
    vevent.add("LAST-MODIFIED", stamp)
    vevent.add("SEQUENCE", sequence)
    vevent.add("DTSTART", start.astimezone(LOCAL))
    vevent.add("DTEND", end.astimezone(LOCAL))
    for name in ("summary", "description", "location", "url", "status"):
        value = getattr(texts, name)
        if value:  # no empty properties
            vevent.add(name.upper(), value)
    if texts.categories:
        vevent.add("CATEGORIES", list(texts.categories))
    if texts.geo is not None:
        vevent.add("GEO", (float(texts.geo[0]), float(texts.geo[1])))
    if texts.private:
        vevent.add("CLASS", "PRIVATE")
    if texts.transparent:
        vevent.add("TRANSP", "TRANSPARENT")
    if texts.alarm_before:
        alarm = Alarm.new(description=texts.summary)
        alarm.add("ACTION", "DISPLAY")
        alarm.add("TRIGGER", -texts.alarm_before)
        vevent.add_component(alarm)
    return vevent


# ---------------------------------------------------------------------------------------------
# What a feed says.


@lru_cache(maxsize=32)
def _vtimezone(first_year: int, last_year: int) -> bytes:
    """The Europe/Stockholm VTIMEZONE for whole years, serialised (cached: generating it is slow)."""
    timezone = Timezone.from_tzid(
        TZID, first_date=date(first_year, 1, 1), last_date=date(last_year + 1, 1, 1)
    )
    return timezone.to_ical()


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
            "online": _("Länk till mötet"),
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


def location_text(library, labels: dict, room_name: str | None = None) -> str:
    """Library name, room, and the address — or an honest "adress saknas"."""
    parts = [library.name]
    if room_name:
        parts.append(room_name)
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


def session_uid(session: Session) -> str:
    return f"{session.uid}@lasrum"


class FeedBuilder:
    """Turns sessions into VEVENTs: each event's constant lines are written once per render
    (per room and per cancelled or not), each session adds its own few lines."""

    def __init__(self, options: FeedOptions):
        self.options = options
        self.labels = labels_for(options.lang)
        self.templates: dict[tuple, VeventTemplate] = {}
        self.option_chunks: list[bytes] = []
        self.chunks: list[bytes] = []
        self.first: datetime | None = None
        self.last: datetime | None = None
        self.window = session_date_window()
        # A booking's own calendar: the booker's cancellation is a change of its own (SEQUENCE
        # grows by one, not METHOD:CANCEL: ics_url is a subscription, not an invitation).
        booking = options.booking
        self.sequence_bump = int(bool(booking is not None and booking.status in _BOOKING_GONE))

    def _span(self, start: datetime, end: datetime) -> None:
        if self.first is None or start < self.first:
            self.first = start
        if self.last is None or end > self.last:
            self.last = end

    def add_session(self, session: Session) -> None:
        """A loaded Session (its event's codes prefetched by selectors.load_sessions, or read)."""
        room_name = None
        if self.options.audience != "public" and session.room_id is not None:
            room_name = session.room.name
        key = SessionKey(
            session.pk,
            session.uid,
            session.sequence,
            session.status,
            session.event_id,
            room_name,
            session.start,
            session.end,
            session.updated_at,
        )
        self._add(key, session.event)

    def add_sessions(self, keys: list[SessionKey], load) -> None:
        """Add sessions in `keys` order. `load(pks)` returns {pk: Session} with event, library
        and codes loaded in a fixed number of queries; it is asked for one session per event,
        since the keys already hold everything else."""
        first_of_event: dict[int, int] = {}
        for key in keys:
            first_of_event.setdefault(key.event_id, key.pk)
        loaded = load(list(first_of_event.values())) if first_of_event else {}
        events = {session.event_id: session.event for session in loaded.values()}
        for key in keys:
            event = events.get(key.event_id)
            if event is not None:  # else deleted between the two queries
                self._add(key, event)

    def _writable(self, start: datetime, end: datetime) -> bool:
        """Whether a row's times lie in the window the services allow (a year back, three
        ahead): a row outside it (year 9999, entered before the services checked) is left out
        of the feed instead of failing it, and of its VTIMEZONE's years."""
        return self.window[0] <= start <= self.window[1] and end <= self.window[1] + timedelta(days=1)

    def _add(self, key: SessionKey, event: EventRow) -> None:
        if not self._writable(key.start, key.end):
            return
        cancelled = key.status == Session.Status.CANCELLED or event.status == EventRow.Status.CANCELLED
        room_name = key.room_name if self.options.audience != "public" else None
        template_key = (key.event_id, room_name, cancelled)
        template = self.templates.get(template_key)
        if template is None:
            template = vevent_template(self.texts(event, room_name=room_name, cancelled=cancelled))
            self.templates[template_key] = template
        updated_at = event.updated_at
        self.chunks.append(
            vevent_bytes(
                template,
                uid=f"{key.uid}@lasrum",
                stamp=key.updated_at if key.updated_at > updated_at else updated_at,
                sequence=key.sequence + self.sequence_bump,
                start=key.start,
                end=key.end,
            )
        )
        self._span(key.start, key.end)

    def texts(self, event: EventRow, *, room_name: str | None, cancelled: bool) -> VeventTexts:
        """What every session of `event` says (in this feed's language and for its audience)."""
        options, labels, lang = self.options, self.labels, self.options.lang
        library = event.library
        status = "CONFIRMED"
        prefix = CANCELLED_PREFIX
        if cancelled:
            status = "CANCELLED"
        elif event.status == EventRow.Status.DRAFT:
            status = "TENTATIVE"
        elif options.booking is not None:
            if options.booking.status in _BOOKING_GONE:
                status, cancelled = "CANCELLED", True
                if options.booking.cancelled_by == Booking.CancelledBy.BOOKER:
                    prefix = BOOKER_CANCELLED_PREFIX
            elif options.booking.status != Booking.Status.CONFIRMED:
                status = "TENTATIVE"
        summary = event_title(event, lang)
        if cancelled:
            summary = prefix.get(lang, prefix["sv"]) + summary
        url = options.base_url + event.get_absolute_url()
        audiences = _code_names(event, "audiences", lang)

        lines = []
        text = event_description(event, lang).strip()
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
        online = online_url_for(options.booking) if options.booking is not None and not cancelled else ""
        if online:  # the booker's own calendar only (booking.selectors.online)
            lines.append(f"{labels['online']}: {online}")
        lines.append(f"{labels['more']}: {url}")

        geo = None
        if library.latitude is not None and library.longitude is not None:
            geo = (float(library.latitude), float(library.longitude))
        return VeventTexts(
            summary=summary,
            description="\n".join(lines),
            location=location_text(library, labels, room_name),
            url=url,
            status=status,
            categories=(labels["kinds"].get(event.kind, event.kind), *audiences),
            geo=geo,
            private=event.visibility == EventRow.Visibility.PRIVATE,
            alarm_before=options.alarm_before if not cancelled else None,
        )

    def session_vevent(self, session: Session) -> Event:
        """A session's VEVENT built with icalendar (the reference for tests; feeds use the
        fast writer, which gives the same bytes)."""
        room_name = None
        if self.options.audience != "public" and session.room_id is not None:
            room_name = session.room.name
        texts = self.texts(session.event, room_name=room_name, cancelled=is_cancelled(session))
        return vevent_icalendar(
            texts,
            uid=session_uid(session),
            stamp=max(session.updated_at, session.event.updated_at),
            sequence=session.sequence,
            start=session.start,
            end=session.end,
        )

    def date_option_texts(self, option: VisitDateOption) -> VeventTexts:
        labels = self.labels
        request = option.request
        title = request.title or labels["formats"].get(request.format, request.format)
        lines = [f"{labels['option']}: {title}"]
        lines += _contact_lines(request.library, labels)
        room_name = request.room.name if request.room_id is not None else None
        return VeventTexts(
            summary=f"{labels['option']}: {title}",
            description="\n".join(lines),
            location=location_text(request.library, labels, room_name),
            status="TENTATIVE",
            transparent=True,
        )

    def add_date_option(self, option: VisitDateOption) -> None:
        """A visit request's proposed date: TENTATIVE until a creator accepts one."""
        if not self._writable(option.start, option.end):
            return
        self.option_chunks.append(
            vevent_bytes(
                vevent_template(self.date_option_texts(option)),
                uid=f"visit-option-{option.pk}@lasrum",
                stamp=option.request.updated_at,
                sequence=0,
                start=option.start,
                end=option.end,
            )
        )
        self._span(option.start, option.end)

    def render(self, *, name: str, key: str) -> bytes:
        """The whole calendar as bytes: icalendar writes the calendar's own properties, then
        come the cached VTIMEZONE, the date options and the sessions' VEVENTs."""
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
        head = calendar.to_ical()
        end = b"END:VCALENDAR\r\n"
        assert head.endswith(end)
        parts = [head[: -len(end)]]
        if self.first is not None:
            first, last = self.first.astimezone(LOCAL), self.last.astimezone(LOCAL)
            parts.append(_vtimezone(first.year, last.year))
        return b"".join((*parts, *self.option_chunks, *self.chunks, end))


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
    """Render a feed from loaded sessions, or from `session_keys` and a `load(pks)` that loads
    sessions with their events (called once, for one session per event)."""
    builder = FeedBuilder(options)
    for session in sessions:
        builder.add_session(session)
    if session_keys:
        builder.add_sessions(session_keys, load)
    for option in date_options:
        builder.add_date_option(option)
    return builder.render(name=name, key=key)
