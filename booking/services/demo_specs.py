"""The demo's programme as read from DEMO_DATA_FILE (the specs), the rooms by kind of library,
and the small helpers of time the other demo modules share (booking.services.demo)."""

import json
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings

from booking.models import (
    Booking,
    Event,
)

FICTIONAL = "(fiktiv)"

# Rooms by kind of library. Capacities vary a little per library (a stable hash of its name),
# so that the demo does not look stamped out, and stay the same from run to run.
MAIN_ROOMS = [
    (
        "Hörsalen",
        60,
        [
            "step_free_entrance",
            "lift",
            "wheelchair_spaces",
            "accessible_toilet",
            "hearing_loop",
            "seating_with_armrests",
            "guide_dog_welcome",
        ],
    ),
    ("Sagorummet", 25, ["step_free_entrance", "accessible_toilet", "quiet_room", "guide_dog_welcome"]),
    ("Studierummet", 12, ["step_free_entrance", "lift", "hearing_loop", "seating_with_armrests"]),
]
BRANCH_ROOMS = [
    ("Samlingsrummet", 30, ["step_free_entrance", "accessible_toilet", "wheelchair_spaces"]),
]
MOBILE_ROOMS = [("Bokbussen", 8, [])]


@dataclass
class CreatorSpec:
    name: str
    roles: list[str]
    bio: str
    languages: list[str]
    genres: list[str]
    audiences: list[str]
    home: str  # SCB code of the home municipality
    fee_sek: int
    bio_language: str = "sv"


@dataclass
class EventSpec:
    title: str
    library: str
    room: str
    kind: str
    days: int  # days from today to the first session
    at: time  # local wall-clock time of each session
    minutes: int
    capacity: int
    description: str
    creators: list[str] = field(default_factory=list)
    audiences: list[str] = field(default_factory=list)
    priority_groups: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=lambda: ["sv"])
    sessions: int = 1
    every_days: int = 7
    booking_mode: str = Event.BookingMode.SESSION
    waitlist_mode: str = Event.WaitlistMode.OFFER
    visibility: str = Event.Visibility.PUBLIC
    status: str = Event.Status.PUBLISHED
    easy_to_read: bool = False
    content_language: str = "sv"
    title_sv: str = ""
    description_sv: str = ""
    title_en: str = ""
    sms_title: str = ""
    max_seats_per_booking: int = 6


@dataclass
class BookingSpec:
    event: str  # the event's title
    library: str
    name: str
    seats: int = 1
    email: str = ""
    phone: str = ""
    sms_consent: bool = False
    companion_seats: int = 0
    children: int = 0
    language: str = "sv"
    accessibility_needs: list[str] = field(default_factory=list)
    accessibility_note: str = ""
    accessibility_consent: bool = False
    school: str = ""
    grade: str = ""
    source: str = Booking.Source.WEB


@dataclass
class DemoData:
    creators: list[CreatorSpec]
    events: list[EventSpec]
    accounts: list[dict]
    bookings: list[BookingSpec] = field(default_factory=list)


def demo_data_read(path=None) -> DemoData:
    """The region's demo programme (DEMO_DATA_FILE): JSON, so that nothing regional is in code."""
    with open(path or settings.DEMO_DATA_FILE, encoding="utf-8") as handle:
        raw = json.load(handle)
    events = []
    for entry in raw.get("events", []):
        hour, minute = (int(part) for part in entry["at"].split(":"))
        events.append(EventSpec(**{**entry, "at": time(hour, minute)}))
    return DemoData(
        creators=[CreatorSpec(**entry) for entry in raw.get("creators", [])],
        events=events,
        accounts=raw.get("accounts", []),
        bookings=[BookingSpec(**entry) for entry in raw.get("bookings", [])],
    )


@dataclass
class DemoResult:
    rooms_created: int = 0
    creators_created: int = 0
    events_created: int = 0
    sessions_created: int = 0
    events_topped_up: int = 0
    bookings_created: int = 0


def _local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _local(day: date, at: time) -> datetime:
    # Wall-clock time in the region: 18:00 stays 18:00 on both sides of a DST change.
    return datetime.combine(day, at, tzinfo=_local_zone())


def _vary(name: str, base: int) -> int:
    """A stable, plausible variation of a capacity: base, +10 % or +20 %."""
    return base + base * (zlib.crc32(name.encode()) % 3) // 10
