"""Demo data for a region: rooms for every library, fictional creators, and a programme of
events dated relative to the day it runs.

Idempotent by natural keys (a room by library and name, a creator by name, an event by title
and library): running it again adds nothing twice, and tops up, so that each demo event whose
sessions have all passed gets a new edition in the coming weeks. The people are invented and
say so ("(fiktiv)"); libraries without a known street address keep a blank one, so the pages
say "adress saknas" rather than show an invented address. Events and their sessions are made
through the events services (event_create, recurrence_replace, sessions_add), so the demo keeps
the rules an organiser's events keep (free rooms, free creators, room capacity, audit).

A few bookings make the staff pages worth looking at (participant lists, a full session with a
waitlist, a need to prepare): plainly invented people ("Exempel Person"), e-mail at example.org
(reserved by RFC 2606), mobile numbers only from the series PTS keeps for fiction
(070-174 06 05 to 070-174 06 99). They go through the booking service like any booking, so
every rule holds and the outbox gets its rows (the development setup records messages, it
sends none). One booking per person and event among the event's upcoming sessions: running it
again adds none; a topped-up event gets its bookings again in its new session.
"""

import json
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from booking.errors import BookingClosed, BookingNotOpen, SessionCancelled, SessionFull
from booking.models import (
    Audience,
    Booking,
    Creator,
    Event,
    Genre,
    Language,
    Library,
    PriorityGroup,
    Room,
    Session,
    VenueFeature,
)
from booking.selectors.contacts import contact_q
from booking.services.bookings import booking_create
from booking.services.demo_past import demo_last_term_ensure
from booking.services.events import event_create, recurrence_replace, room_is_free, sessions_add
from booking.services.reference import region_load
from booking.validation import email_clean, phone_normalize

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


def rooms_ensure(result: DemoResult) -> None:
    """Rooms for each library that has none yet; rooms an organiser renamed or removed stay so."""
    features = {f.code: f for f in VenueFeature.objects.all()}
    for library in Library.objects.filter(rooms__isnull=True):
        specs = MOBILE_ROOMS if library.is_mobile else MAIN_ROOMS if library.is_main_library else BRANCH_ROOMS
        for name, capacity, codes in specs:
            room = Room.objects.create(
                library=library,
                name=name,
                capacity=capacity if library.is_mobile else _vary(library.name, capacity),
            )
            room.accessibility_features.set([features[c] for c in codes if c in features])
            result.rooms_created += 1


def creators_ensure(result: DemoResult, specs: list[CreatorSpec]) -> dict[str, Creator]:
    creators = {}
    for spec in specs:
        creator, created = Creator.objects.get_or_create(
            name=spec.name,
            defaults={
                "roles": spec.roles,
                "bio": spec.bio,
                "bio_language": spec.bio_language,
                "home_municipality_id": spec.home,
                "fee_sek": spec.fee_sek,
                "fee_note": "Enligt Författarförbundets rekommendation; resa tillkommer.",
                "f_tax": True,
            },
        )
        if created:
            creator.languages.set(Language.objects.filter(tag__in=spec.languages))
            creator.genres.set(Genre.objects.filter(code__in=spec.genres))
            creator.audiences.set(Audience.objects.filter(code__in=spec.audiences))
            result.creators_created += 1
        creators[spec.name] = creator
    return creators


def _first_free_day(spec: EventSpec, room: Room, first_day: date) -> date:
    """The first day from first_day on when every session of the spec finds the room free."""
    for shift in range(60):
        day = first_day + timedelta(days=shift)
        starts = [_local(day + timedelta(days=spec.every_days * n), spec.at) for n in range(spec.sessions)]
        if all(room_is_free(room=room, start=s, end=s + timedelta(minutes=spec.minutes)) for s in starts):
            return day
    return first_day


def _schedule(spec: EventSpec, room: Room, first_day: date) -> dict:
    """The sessions of an edition, for the events service: a rule for a series, else one time."""
    day = _first_free_day(spec, room, first_day)
    if spec.sessions == 1:
        start = _local(day, spec.at)
        return {"sessions": [{"start": start, "end": start + timedelta(minutes=spec.minutes)}]}
    if spec.every_days % 7 == 0:
        rule = f"FREQ=WEEKLY;INTERVAL={spec.every_days // 7};COUNT={spec.sessions}"
    else:
        rule = f"FREQ=DAILY;INTERVAL={spec.every_days};COUNT={spec.sessions}"
    dtstart = datetime.combine(day, spec.at)  # local wall-clock time, as the rule wants it
    return {"recurrence": {"rrule": rule, "dtstart": dtstart, "duration": timedelta(minutes=spec.minutes)}}


def _event_create(
    spec: EventSpec, library: Library, room: Room, creators: dict[str, Creator], first_day: date
) -> Event:
    return event_create(
        actor=None,
        library=library,
        kind=spec.kind,
        title=spec.title,
        capacity=min(spec.capacity, room.capacity),
        room=room,
        status=spec.status,
        description=spec.description,
        content_language=spec.content_language,
        title_sv=spec.title_sv,
        description_sv=spec.description_sv,
        title_en=spec.title_en,
        sms_title=spec.sms_title,
        max_seats_per_booking=spec.max_seats_per_booking,
        booking_mode=spec.booking_mode,
        waitlist_mode=spec.waitlist_mode,
        visibility=spec.visibility,
        easy_to_read=spec.easy_to_read,
        creators=[creators[name] for name in spec.creators],
        audiences=list(Audience.objects.filter(code__in=spec.audiences)),
        priority_groups=list(PriorityGroup.objects.filter(code__in=spec.priority_groups)),
        languages=list(Language.objects.filter(tag__in=spec.languages)),
        **_schedule(spec, room, first_day),
    )


def _edition_add(event: Event, spec: EventSpec, room: Room, first_day: date) -> None:
    """A new edition of an event whose sessions have all passed: its rule again, or one more time."""
    schedule = _schedule(spec, room, first_day)
    if "recurrence" in schedule:
        recurrence_replace(event=event, actor=None, recurrence=schedule["recurrence"])
    else:
        sessions_add(event=event, actor=None, sessions=schedule["sessions"])


def events_ensure(
    result: DemoResult, specs: list[EventSpec], creators: dict[str, Creator], *, today: date, progress
) -> None:
    for spec in specs:
        event = (
            Event.objects.filter(title=spec.title, library__name=spec.library).select_related("room").first()
        )
        if event is not None and event.status == Event.Status.CANCELLED:
            continue  # cancelled on purpose by someone trying the demo: leave it so
        if (
            event is not None
            and event.sessions.filter(start__gte=timezone.now(), status=Session.Status.SCHEDULED).exists()
        ):
            continue
        room = (event.room if event else None) or (
            Room.objects.filter(library__name=spec.library, name=spec.room).select_related("library").first()
        )
        if room is None:  # renamed or removed in the admin since: leave that event out
            progress(f"{spec.title}: skipped, no room {spec.room!r} at {spec.library!r}")
            continue
        first_day = today + timedelta(days=spec.days)
        if event is None:
            event = _event_create(spec, room.library, room, creators, first_day)
            result.events_created += 1
            result.sessions_created += spec.sessions
            progress(f"{spec.title} ({room.library.name})")
        else:
            # A new edition: the same event, new sessions in the coming weeks.
            _edition_add(event, spec, room, first_day)
            result.sessions_created += spec.sessions
            result.events_topped_up += 1
            progress(f"{spec.title}: new sessions")


def bookings_ensure(result: DemoResult, specs: list[BookingSpec], *, progress) -> None:
    """Each demo booking on its event's first upcoming session, unless the person (by e-mail, or
    phone when there is none) already has a booking, in any status, on one of the event's upcoming
    sessions: a demo visitor's cancellation stays a cancellation. Where booking has closed or the
    event is no longer published, the booking is left out."""
    now = timezone.now()
    for spec in specs:
        event = Event.objects.filter(title=spec.event, library__name=spec.library).first()
        if event is None or event.status != Event.Status.PUBLISHED:
            continue
        upcoming = event.sessions.filter(status=Session.Status.SCHEDULED, start__gt=now)
        session = upcoming.order_by("start").first()
        if session is None:
            continue
        contact = contact_q(email=email_clean(spec.email), phone=phone_normalize(spec.phone, for_sms=False))
        if Booking.objects.filter(contact, event=event, session__in=upcoming).exists():
            continue
        try:
            booked = booking_create(
                session=session,
                seats=spec.seats,
                companion_seats=spec.companion_seats,
                children=spec.children,
                name=spec.name,
                email=spec.email,
                phone=spec.phone,
                sms_consent=spec.sms_consent,
                language=spec.language,
                accessibility_needs=spec.accessibility_needs,
                accessibility_note=spec.accessibility_note,
                accessibility_consent=spec.accessibility_consent,
                school=spec.school,
                grade=spec.grade,
                source=spec.source,
                now=now,
            )
        except (BookingClosed, BookingNotOpen, SessionCancelled, SessionFull) as refused:
            progress(f"{spec.name} ({spec.event}): not booked, {refused.code}")
            continue
        result.bookings_created += 1
        progress(f"{spec.name} ({spec.event}): {booked.booking.status}")


@transaction.atomic
def demo_seed(*, path=None, progress=None) -> DemoResult:
    """Load the region and the demo programme; safe to run again (see the module docstring)."""
    say = progress or (lambda message: None)
    data = demo_data_read(path)
    region_load(progress=lambda step: say(f"region: {step}"))
    result = DemoResult()
    rooms_ensure(result)
    say(f"rooms: {result.rooms_created} new")
    creators = creators_ensure(result, data.creators)
    say(f"creators: {result.creators_created} new")
    today = timezone.localdate()
    events_ensure(result, data.events, creators, today=today, progress=lambda m: say(f"event: {m}"))
    bookings_ensure(result, data.bookings, progress=lambda m: say(f"booking: {m}"))
    past = demo_last_term_ensure(data.events, today=today, progress=lambda m: say(f"last term: {m}"))
    say(f"last term: {past['events']} events, {past['bookings']} bookings, {past['check_ins']} check-ins")
    return result


DEMO_PASSWORD = "lasrum-demo"  # noqa: S105 -- development only: demo_accounts_ensure refuses when DEBUG is off


def demo_accounts_ensure(*, path=None) -> list[tuple[str, str]]:
    """Demo staff accounts with a known password, for trying the platform on one's own machine.
    Never in production: a fixed password on a public server would be an open door."""
    from booking.services.accounts import staff_grant

    if not settings.DEBUG:
        raise RuntimeError("demo accounts are for development only (DJANGO_DEBUG=1)")
    made = []
    for account in demo_data_read(path).accounts:
        username = account["username"]
        library = Library.objects.get(name=account["library"]) if account.get("library") else None
        creator = Creator.objects.get(name=account["creator"]) if account.get("creator") else None
        if creator is not None and creator.user_id is not None and creator.user.username != username:
            continue  # someone linked the creator to a real account: leave it alone
        user, _token = staff_grant(
            username=username, role=account["role"], library=library, creator=creator, issue_token=False
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        made.append((username, account.get("describe", account["role"])))
    return made
