"""The fast VEVENT writer writes exactly what icalendar writes for the same VEVENT: the same
escaping, the same folding (75 octets, never inside a UTF-8 character, escapes kept whole), the
same property order. Compared byte for byte over awkward text, and over whole feeds built from
the database."""

import hashlib
import random
import secrets
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from icalendar import vText
from icalendar.parser.string import _foldline

from booking.models import Booking, Event, Room, Session
from feeds import selectors
from feeds.ical import (
    FeedBuilder,
    FeedOptions,
    VeventTexts,
    fold,
    ical_text,
    vevent_bytes,
    vevent_template,
)
from tests.factories import make_event, make_room
from tests.feeds.reference import session_vevent, vevent_icalendar

LOCAL = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=LOCAL)

# ASCII, Swedish, Sami and Meänkieli letters, 3- and 4-byte characters, a ZWJ family, and the
# characters that escaping and folding treat specially.
PIECES = [
    "a",
    "Z",
    " ",
    "å",
    "ä",
    "ö",
    "Å",
    "é",
    "á",
    "č",
    "đ",
    "ŋ",
    "š",
    "ŧ",
    "ž",
    "€",
    "–",
    "📚",
    "👩\u200d👩\u200d👧",
    "\\",
    "^",
    ",",
    ";",
    ":",
    '"',
    "\n",
    "\r\n",
    "\r",
    "\\N",
    "\t",
]


def awkward_texts(count: int, *, seed: int) -> list[str]:
    rng = random.Random(seed)
    texts = [
        "",
        "x" * 74,
        "x" * 75,
        "x" * 73 + "\\" + "y" * 10,
        "x" * 72 + "\\," + "y" * 10,
        "x" * 73 + "^" + "y",
        "x" * 73 + "å" + "y" * 80,
        "x" * 72 + "📚" * 30,
        "Läsning på älvdalska och åländska. " * 20,
        "Sámi giella: áđčŋšŧž, " * 10,
    ]
    for _ in range(count):
        texts.append("".join(rng.choice(PIECES) for _ in range(rng.randint(1, 260))))
    return texts


def test_ical_text_escapes_like_icalendar():
    for text in awkward_texts(300, seed=1):
        assert ical_text(text) == vText(text).to_ical().decode(), repr(text)


def test_fold_is_icalendar_folding_without_the_per_character_loop():
    for text in awkward_texts(600, seed=2):
        line = "DESCRIPTION:" + ical_text(text)
        folded = fold(line)
        assert folded == _foldline(line).encode(), repr(text)
        physical = folded.split(b"\r\n")
        assert all(len(part) <= 75 for part in physical)
        for part in physical:
            part.decode("utf-8")  # raises if a fold split a character
        assert b"".join([physical[0], *(part[1:] for part in physical[1:])]).decode() == line


STARTS = [
    datetime(2026, 3, 29, 1, 30, tzinfo=UTC),  # the night clocks go forward
    datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 02:30 summer time, before clocks go back
    datetime(2026, 10, 25, 1, 30, tzinfo=UTC),  # 02:30 winter time, after
    datetime(2026, 6, 1, 16, 0, 59, 999_999, tzinfo=UTC),  # microseconds are dropped
    datetime(2027, 1, 1, 9, 0, tzinfo=LOCAL),
]


@pytest.mark.parametrize("seed", range(4))
def test_a_vevent_is_byte_for_byte_what_icalendar_writes(seed):
    rng = random.Random(seed)
    texts = awkward_texts(40, seed=10 + seed)
    for i in range(60):
        summary = rng.choice(texts) or "Läscirkel"
        vevent_texts = VeventTexts(
            summary=summary,
            description=rng.choice(texts),
            location=rng.choice(texts),
            status=rng.choice(["CONFIRMED", "TENTATIVE", "CANCELLED"]),
            url=rng.choice(["", "https://lasrum.example.se/evenemang/12/", "https://x.se/a?b=1,2;c"]),
            categories=tuple(rng.choice(texts) or "Barn" for _ in range(rng.randint(0, 3))),
            geo=rng.choice([None, (59.3713, 16.5098), (float(Decimal("67.855800")), 20.225282)]),
            private=rng.random() < 0.5,
            transparent=rng.random() < 0.3,
            alarm_before=rng.choice([None, timedelta(hours=2), timedelta(days=1, minutes=30)]),
        )
        start = rng.choice(STARTS)
        fields = {
            "uid": f"{secrets.token_hex(16)}@lasrum",
            "stamp": rng.choice([datetime(2026, 2, 3, 4, 5, 6, 789, tzinfo=UTC), NOW]),
            "sequence": rng.randint(0, 12),
            "start": start,
            "end": start + timedelta(minutes=rng.choice([45, 90, 24 * 60])),
        }
        expected = vevent_icalendar(vevent_texts, **fields).to_ical()
        assert vevent_bytes(vevent_template(vevent_texts), **fields) == expected, (i, vevent_texts)


def _vevents(body: bytes) -> list[bytes]:
    """A feed's VEVENTs (the calendar's own lines and VTIMEZONE left out)."""
    end = b"END:VCALENDAR\r\n"
    assert body.endswith(end)
    return [b"BEGIN:VEVENT" + chunk for chunk in body[: -len(end)].split(b"BEGIN:VEVENT")[1:]]


def _reference(options: FeedOptions, sessions) -> list[bytes]:
    """Each session's VEVENT built by icalendar, in feed order."""
    loaded = selectors.load_sessions(sessions)
    builder = FeedBuilder(options)
    ordered = sorted(loaded.values(), key=lambda s: (s.start, s.pk))
    return [session_vevent(builder, session).to_ical() for session in ordered]


@pytest.mark.django_db
def test_whole_feeds_hold_what_icalendar_would_write(client, library, librarian, time_machine):
    """Public (sv, en), staff and booking feeds over awkward data: emoji, åäö, Sami letters,
    long descriptions, commas, semicolons and newlines, sessions in different rooms of one
    event, a cancelled session, a cancelled event, a draft and a private event."""
    from booking.services.feed_tokens import feed_token_for

    time_machine.move_to(NOW, tick=False)
    library.name = "Biblioteket i Övertorneå; filial, Pajala"
    library.street_address, library.postal_code, library.city = "Storgatan 1", "984 31", "Pajala"
    library.latitude, library.longitude = Decimal("67.213600"), Decimal("23.367400")
    library.contact_person, library.phone = "Áile Ŋuorra", "0978-120 00"
    library.save()
    room = make_room(library=library)
    other_room = Room.objects.create(library=library, name="Sagorummet, 📚 övre plan", capacity=30)
    titles = [
        (
            "Läscirkel på meänkieli 📚",
            "Vi läser; skriver, och\nsamtalar \\ om böcker. " * 12,
            "Read, talk;\nlisten.",
        ),
        ("Sámi giella: áđčŋšŧž " * 4, "", "Bring a notebook.\r\nAnd pens."),
        ("A" * 73 + "\\" + "ö" * 30, "x" * 72 + "\\,\\;" + "é" * 90, "👩\u200d👩\u200d👧 " * 30),
    ]
    events = []
    for i, (title, description, description_en) in enumerate(titles):
        event = make_event(
            room=room,
            title=title,
            title_en=f"{title} (en)",
            description=description,
            description_en=description_en,
            start=NOW + timedelta(days=3 + i),
            sessions=3,
            easy_to_read=bool(i % 2),
            visibility=Event.Visibility.PRIVATE if i == 2 else Event.Visibility.PUBLIC,
        )
        event.audiences.set(["adults", "0-5"])
        event.languages.set(["fit", "sv"])
        event.accessibility_features.set(["hearing_loop"])
        events.append(event)
    first = events[0].sessions.order_by("start").first()
    Session.objects.filter(pk=first.pk).update(status=Session.Status.CANCELLED, cancelled_at=NOW)
    Session.objects.filter(pk=events[0].sessions.order_by("-start").first().pk).update(room=other_room)
    events[1].status, events[1].cancelled_at = Event.Status.CANCELLED, NOW
    events[1].save()
    draft = make_event(room=room, status=Event.Status.DRAFT, title="Utkast, ännu inte klart", start=NOW)
    public_sessions = Session.objects.filter(event__in=events[:2])

    for lang, path in (("sv", "/feeds/events.ics"), ("en", f"/feeds/libraries/{library.pk}.ics?lang=en")):
        body = client.get(path).content
        options = FeedOptions(lang=lang, base_url=settings.PUBLIC_BASE_URL, audience="public")
        reference = _reference(options, public_sessions)
        assert len(reference) == 6
        assert _vevents(body) == reference, lang

    staff_body = client.get(f"/feeds/private/{feed_token_for(librarian).token}.ics").content
    staff_options = FeedOptions(lang="sv", base_url=settings.PUBLIC_BASE_URL, audience="staff")
    staff_sessions = Session.objects.filter(event__in=[*events, draft])
    reference = _reference(staff_options, staff_sessions)
    assert len(reference) == 10
    assert _vevents(staff_body) == reference

    for status in (Booking.Status.CONFIRMED, Booking.Status.CANCELLED, Booking.Status.WAITLISTED):
        token = secrets.token_urlsafe(24)
        booking = Booking.objects.create(
            event=events[0],
            seats=1,
            name="Kim",
            email="kim@example.se",
            status=status,
            language="en",
            cancelled_at=NOW if status == Booking.Status.CANCELLED else None,
            manage_token_hash=hashlib.sha256(secrets.token_bytes(16)).hexdigest(),
            calendar_token_hash=hashlib.sha256(token.encode()).hexdigest(),
        )
        body = client.get(f"/feeds/bookings/{token}.ics").content
        options = FeedOptions(
            lang="en",
            base_url=settings.PUBLIC_BASE_URL,
            audience="booking",
            alarm_before=timedelta(hours=2),
            booking=booking,
        )
        reference = _reference(options, events[0].sessions.all())
        assert len(reference) == 3
        assert _vevents(body) == reference, status
