"""Building a feed: sessions (and visit requests' proposed dates) in, iCalendar bytes out.

icalendar 7 writes the calendar, its properties and the VTIMEZONE; the VEVENTs come from the
fast writer (feeds.ical.writer), each event's constant lines written once per render.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from icalendar import Calendar, Timezone, vText

from booking.models import Event as EventRow
from booking.models import Session, VisitDateOption
from booking.services.events import session_date_window
from feeds.ical.texts import BOOKING_GONE, FeedOptions, date_option_texts, event_texts, labels_for
from feeds.ical.writer import LOCAL, TZID, VeventTemplate, vevent_bytes, vevent_template

PRODID = "-//Läsrum//Kalenderflöden//SV"
# Bumped when the output format changes, so that cached copies (ETags) are invalidated.
FORMAT_VERSION = "1"


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


@lru_cache(maxsize=32)
def _vtimezone(first_year: int, last_year: int) -> bytes:
    """The Europe/Stockholm VTIMEZONE for whole years, serialised (cached: generating it is slow)."""
    timezone = Timezone.from_tzid(
        TZID, first_date=date(first_year, 1, 1), last_date=date(last_year + 1, 1, 1)
    )
    return timezone.to_ical()


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
        self.sequence_bump = int(bool(booking is not None and booking.status in BOOKING_GONE))

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
            template = vevent_template(
                event_texts(
                    event, options=self.options, labels=self.labels, room_name=room_name, cancelled=cancelled
                )
            )
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

    def add_date_option(self, option: VisitDateOption) -> None:
        """A visit request's proposed date: TENTATIVE until a creator accepts one."""
        if not self._writable(option.start, option.end):
            return
        self.option_chunks.append(
            vevent_bytes(
                vevent_template(
                    date_option_texts(option, labels=self.labels, for_staff=self.options.audience == "staff")
                ),
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
