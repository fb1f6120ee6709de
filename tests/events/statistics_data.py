"""A year of programme for the statistics tests, and the counts computed from its rows in
plain Python, independently of booking.selectors.statistics: the tests compare the two."""

import random
import uuid
from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from booking.models import Attendance, Booking, Event, Language, Library, PriorityGroup, Session
from tests.factories import make_event, make_room

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NOW = datetime(2029, 7, 1, 12, tzinfo=STOCKHOLM)  # half the year has happened
SINCE = datetime(2029, 1, 1, tzinfo=STOCKHOLM)
UNTIL = datetime(2030, 1, 1, tzinfo=STOCKHOLM)
METRICS = (
    "events",
    "sessions",
    "sessions_cancelled",
    "closed_group",
    "bookings",
    "seats_booked",
    "children",
    "waitlisted",
    "promoted",
    "attended",
    "no_shows",
)
PEOPLE = METRICS[4:]


def at(month, day, hour=18, minute=0, year=2029):
    return datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM)


def book(
    session=None, *, event=None, seats=1, children=0, status="confirmed", waitlisted=False, promoted=False
):
    return Booking.objects.create(
        event=event or session.event,
        session=session,
        seats=seats,
        children=children,
        name="Deltagare",
        email="d@example.org",
        status=status,
        waitlisted_at=NOW if waitlisted else None,
        offer_expires_at=NOW if status == "offered" else None,
        promoted=promoted,
        manage_token_hash=uuid.uuid4().hex,
        calendar_token_hash=uuid.uuid4().hex,
    )


def check_in(booking, session, came=None):
    came = booking.seats if came is None else came
    status = Attendance.Status.ATTENDED if came else Attendance.Status.NO_SHOW
    return Attendance.objects.create(booking=booking, session=session, status=status, attended_seats=came)


def tagged_event(
    library, *, start, sessions=1, every=timedelta(days=30), audiences=(), languages=(), groups=(), **fields
):
    event = make_event(
        room=make_room(library=library, capacity=60),
        capacity=60,
        start=start,
        sessions=sessions,
        every=every,
        **fields,
    )
    event.audiences.set(audiences)
    event.languages.set(languages)
    event.priority_groups.set(groups)
    return event


def build_year(seed: int = 7) -> dict:
    """Events at four libraries in three municipalities (Eskilstuna, Nyköping, Flen) in 2029,
    with bookings of every status, a series, a private class visit, cancellations, check-ins
    (one made early, on a session still to come), and events outside the year and drafts."""
    rng = random.Random(seed)
    esk = Library.objects.get(name="Eskilstuna stadsbibliotek")
    fro = Library.objects.get(name="Fröslunda (Fröet)")
    nyk = Library.objects.get(name="Nyköpings stadsbibliotek")
    flen = Library.objects.get(name="Flens bibliotek")
    events = {
        "circle": tagged_event(
            esk,
            kind=Event.Kind.READING_CIRCLE,
            start=at(3, 5),
            sessions=3,
            audiences=["adults"],
            languages=["fit", "sv"],
            groups=["older_people"],
        ),
        "workshop": tagged_event(
            fro,
            start=at(6, 1),
            sessions=2,
            every=timedelta(days=61),
            audiences=["13-17"],
            languages=["ar"],
            groups=["other_mother_tongue"],
        ),
        "class_visit": tagged_event(
            nyk,
            kind=Event.Kind.AUTHOR_VISIT,
            start=at(2, 14, 10),
            audiences=["10-12"],
            groups=["disability"],
            visibility=Event.Visibility.PRIVATE,
        ),
        "series": tagged_event(
            flen,
            kind=Event.Kind.READING_CIRCLE,
            start=at(5, 2),
            sessions=4,
            every=timedelta(days=28),
            audiences=["adults", "13-17"],
            groups=["disability", "older_people"],
            easy_to_read=True,
            booking_mode=Event.BookingMode.SERIES,
        ),
        "talk": tagged_event(esk, kind=Event.Kind.AUTHOR_VISIT, start=at(1, 20)),
        "new_year": tagged_event(
            nyk, start=at(1, 1, 0, 30), audiences=["6-9"], languages=["se"], groups=["children_youth"]
        ),
        "last_year": tagged_event(nyk, start=at(12, 31, 23, 30, year=2028), audiences=["6-9"]),
        "next_year": tagged_event(esk, start=at(1, 1, 0, 30, year=2030)),
        "draft": tagged_event(esk, start=at(4, 1), status=Event.Status.DRAFT),
    }
    circle = list(events["circle"].sessions.order_by("start"))
    Session.objects.filter(pk=circle[2].pk).update(status=Session.Status.CANCELLED)
    series = list(events["series"].sessions.order_by("start"))
    Session.objects.filter(pk=series[3].pk).update(status=Session.Status.CANCELLED)

    for event in events.values():
        for session in event.sessions.order_by("start"):
            if event.booking_mode == Event.BookingMode.SERIES:
                continue
            for _index in range(rng.choice([0, 2, 3, 6, 7])):
                seats = rng.randint(1, 4)
                booking = book(
                    session,
                    seats=seats,
                    children=rng.randint(0, seats),
                    status=rng.choice(["confirmed"] * 5 + ["cancelled", "waitlisted", "offered"]),
                    waitlisted=rng.random() < 0.2,
                    promoted=rng.random() < 0.1,
                )
                if booking.status == "confirmed" and rng.random() < 0.7:
                    check_in(booking, session, came=rng.randint(0, seats))
    for _index in range(6):
        seats = rng.randint(1, 3)
        booking = book(event=events["series"], seats=seats, children=rng.randint(0, seats))
        for session in series[:2]:
            if rng.random() < 0.8:
                check_in(booking, session, came=rng.randint(0, seats))
    # Checked in early on a session still to come (as before the rule): never counted.
    aug = events["workshop"].sessions.order_by("start").last()
    check_in(book(aug, seats=3, children=3), aug)
    return events


# --- the counts, from the rows -------------------------------------------------------------


def _groups(event) -> set:
    ages = [a.max_age for a in event.audiences.all()]
    groups = {g.code for g in event.priority_groups.all()}
    if ages and all(age is not None and age < 18 for age in ages):
        groups.add("children_youth")
    if any(lang.kind == "national_minority" for lang in event.languages.all()):
        groups.add("national_minority")
    return groups


def _keys(group_by, event, when):
    if group_by == "municipality":
        return [event.library.municipality_id]
    if group_by == "library":
        return [event.library_id]
    if group_by == "kind":
        return [event.kind]
    if group_by == "month":
        local = when.astimezone(STOCKHOLM)
        return [f"{local.year:04d}-{local.month:02d}"]
    if group_by == "audience":
        return [a.code for a in event.audiences.all()] or [None]
    if group_by == "language":
        return [lang.tag for lang in event.languages.all()] or [None]
    groups = _groups(event)
    keys = sorted(groups) or [None]
    if len(groups) >= 2:
        keys.append("double_priority")
    if event.easy_to_read:
        keys.append("easy_to_read")
    keys += [
        f"national_minority:{lang.tag}" for lang in event.languages.all() if lang.kind == "national_minority"
    ]
    return keys


def expected(group_by, *, since=SINCE, until=UNTIL, now=NOW, libraries=None) -> tuple[dict, dict]:
    """(rows by key, totals) before suppression, counted one row at a time."""
    table = defaultdict(lambda: dict.fromkeys(METRICS, 0))
    events_in = defaultdict(set)
    totals = dict.fromkeys(METRICS, 0)
    counted_events = set()

    def wanted(event):
        return event.status != "draft" and (libraries is None or event.library_id in libraries)

    for session in Session.objects.select_related("event__library"):
        event = session.event
        if not wanted(event) or not since <= session.start < until:
            continue
        counted_events.add(event.pk)
        for key in _keys(group_by, event, session.start):
            events_in[key].add(event.pk)
            row = table[key]
            if session.status == "scheduled":
                row["sessions"] += 1
                row["closed_group"] += event.visibility == "private"
            else:
                row["sessions_cancelled"] += 1
        if session.status == "scheduled":
            totals["sessions"] += 1
            totals["closed_group"] += event.visibility == "private"
        else:
            totals["sessions_cancelled"] += 1
    for booking in Booking.objects.select_related("event__library", "session"):
        event = booking.event
        when = booking.session.start if booking.session else min(s.start for s in event.sessions.all())
        if not wanted(event) or not since <= when < until:
            continue
        holds = booking.status in ("confirmed", "offered")
        counts = {
            "bookings": int(holds),
            "seats_booked": booking.seats if holds else 0,
            "children": booking.children if holds else 0,
            "waitlisted": int(booking.waitlisted_at is not None),
            "promoted": int(booking.promoted),
        }
        for key in _keys(group_by, event, when):
            for metric, value in counts.items():
                table[key][metric] += value
        for metric, value in counts.items():
            totals[metric] += value
    for attendance in Attendance.objects.select_related("session__event__library", "booking"):
        session = attendance.session
        event = session.event
        if not wanted(event) or not since <= session.start < until or session.start > now:
            continue
        counts = {
            "attended": attendance.attended_seats,
            "no_shows": attendance.booking.seats - attendance.attended_seats,
        }
        for key in _keys(group_by, event, session.start):
            for metric, value in counts.items():
                table[key][metric] += value
        for metric, value in counts.items():
            totals[metric] += value
    for key, ids in events_in.items():
        table[key]["events"] = len(ids)
    totals["events"] = len(counted_events)
    return dict(table), totals


def sensitive_keys(group_by, keys) -> set:
    if group_by == "priority_group":
        sensitive = set(PriorityGroup.objects.filter(sensitive=True).values_list("code", flat=True))
        return sensitive | {"double_priority"} | {k for k in keys if k and k.startswith("national_minority:")}
    if group_by == "language":
        return set(Language.objects.filter(kind="national_minority").values_list("tag", flat=True))
    return set()


def assert_rows_match(rows: list[dict], table: dict, sensitive: set) -> None:
    """The answer's rows are the counted ones, with the suppression rule applied: in sensitive
    rows exactly the people counts of 1–4 are hidden (0 stays 0); in a column with one such
    cell, one more cell (the smallest above 0 of the rest) is hidden; nothing else is."""
    got = {row["key"]: row for row in rows}
    assert set(got) == set(table)
    for key, row in got.items():  # the programme's counts are never hidden
        assert [row[m] for m in METRICS[:4]] == [table[key][m] for m in METRICS[:4]], key
    for metric in PEOPLE:
        primary = {key for key in table if key in sensitive and 1 <= table[key][metric] <= 4}
        hidden = {key for key in got if got[key][metric] is None}
        assert primary <= hidden, metric
        for key in set(got) - hidden:
            assert got[key][metric] == table[key][metric], (key, metric)
        extra = hidden - primary
        if len(primary) == 1:
            rest = [table[key][metric] for key in table if key not in primary and table[key][metric]]
            if rest:
                assert len(extra) == 1, metric
                assert table[next(iter(extra))][metric] == min(rest), metric
        else:
            assert not extra, metric
