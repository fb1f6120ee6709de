"""Writing VEVENTs as bytes, exactly as icalendar 7 writes them (RFC 5545 §3.1 and §3.3.11).

Speed: icalendar serialises a property by building objects and folding the line one character
at a time, about 0.5 ms per VEVENT, which made a 2,000-session feed slower than django-ical.
So the VEVENTs are written here: what is the same for every session of an event is escaped
and folded once (`vevent_template`), and a session adds only its times, UID and SEQUENCE
(`vevent_bytes`; saves ~0.5 ms per session, bench/feeds.py measures it). The output is byte for
byte what icalendar writes for the same VEVENT (tests/feeds/reference.py builds that reference;
the tests compare the two over awkward text), so no client sees a difference.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from icalendar import vDuration

TZID = "Europe/Stockholm"
LOCAL = ZoneInfo(TZID)

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
