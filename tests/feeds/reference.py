"""The reference the fast VEVENT writer (feeds.ical.writer) is tested against: the same VEVENT
built with icalendar, property by property."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from icalendar import Alarm, Event

from booking.models import Event as EventRow
from booking.models import Session
from feeds.ical import FeedBuilder, VeventTexts, event_texts

LOCAL = ZoneInfo("Europe/Stockholm")


def vevent_icalendar(
    texts: VeventTexts, *, uid: str, stamp: datetime, sequence: int, start: datetime, end: datetime
) -> Event:
    """The VEVENT built with icalendar: the reference `vevent_bytes` is tested against.

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


def session_vevent(builder: FeedBuilder, session: Session) -> Event:
    """A session's VEVENT built with icalendar, with the texts the builder would write for it
    (feeds use the fast writer, which must give the same bytes)."""
    room_name = None
    if builder.options.audience != "public" and session.room_id is not None:
        room_name = session.room.name
    cancelled = (
        session.status == Session.Status.CANCELLED or session.event.status == EventRow.Status.CANCELLED
    )
    texts = event_texts(
        session.event,
        options=builder.options,
        labels=builder.labels,
        room_name=room_name,
        cancelled=cancelled,
    )
    return vevent_icalendar(
        texts,
        uid=f"{session.uid}@lasrum",
        stamp=max(session.updated_at, session.event.updated_at),
        sequence=session.sequence + builder.sequence_bump,
        start=session.start,
        end=session.end,
    )
