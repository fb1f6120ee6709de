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

This module runs the seed and books; the rest is beside it: demo_specs (the programme as read,
the rooms by kind of library), demo_places (rooms, creators), demo_events (events and their
editions, through the events services), demo_past (last term).
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from booking.errors import BookingClosed, BookingNotOpen, SessionCancelled, SessionFull
from booking.models import (
    Booking,
    Creator,
    Event,
    Library,
    Session,
)
from booking.selectors.contacts import contact_q
from booking.services.bookings import booking_create
from booking.services.demo_events import events_ensure
from booking.services.demo_past import demo_last_term_ensure
from booking.services.demo_places import creators_ensure, rooms_ensure
from booking.services.demo_specs import BookingSpec, DemoResult, demo_data_read
from booking.services.reference import region_load
from booking.validation import email_clean, phone_normalize

__all__ = ["DEMO_PASSWORD", "DemoResult", "demo_accounts_ensure", "demo_data_read", "demo_seed"]


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
