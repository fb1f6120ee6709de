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

The modules: writer (content lines and VEVENT bytes, exactly as icalendar writes them, and why),
texts (what an event's VEVENTs say, in the feed's language and for its audience) and builder
(sessions in, a whole calendar out). The public names are imported here.
"""

from booking.selectors.texts import event_title
from feeds.ical.builder import FORMAT_VERSION, PRODID, FeedBuilder, SessionKey, feed_render
from feeds.ical.texts import (
    CANCELLED_PREFIX,
    FeedOptions,
    date_option_texts,
    event_texts,
    labels_for,
    location_text,
)
from feeds.ical.writer import (
    LOCAL,
    TZID,
    VeventTemplate,
    VeventTexts,
    content_line,
    fold,
    ical_text,
    vevent_bytes,
    vevent_template,
)

__all__ = [
    "CANCELLED_PREFIX",
    "FORMAT_VERSION",
    "LOCAL",
    "PRODID",
    "TZID",
    "FeedBuilder",
    "FeedOptions",
    "SessionKey",
    "VeventTemplate",
    "VeventTexts",
    "content_line",
    "date_option_texts",
    "event_texts",
    "event_title",
    "feed_render",
    "fold",
    "ical_text",
    "labels_for",
    "location_text",
    "vevent_bytes",
    "vevent_template",
]
