"""The demo's events: each edition made through the events services (event_create,
recurrence_replace, sessions_add), on the first days the room is free (room_is_free), so the demo
keeps an organiser's rules (booking.services.demo)."""

from datetime import date, datetime, timedelta

from django.utils import timezone

from booking.models import (
    Audience,
    Creator,
    Event,
    Language,
    Library,
    PriorityGroup,
    Room,
    Session,
)
from booking.services.demo_specs import DemoResult, EventSpec, _local
from booking.services.events import event_create, recurrence_replace, room_is_free, sessions_add


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
