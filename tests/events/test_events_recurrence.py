"""Reading circles from a rule in local time: 18:00 stays 18:00 across DST; gaps and
overlaps are resolved as RFC 5545 says; exceptions; bounds."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.errors import InvalidInput
from booking.services.events import recurrence_expand

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def local(value: datetime) -> datetime:
    return value.astimezone(STOCKHOLM)


def test_weekly_circle_keeps_18_local_across_the_last_sunday_of_march():
    # Sundays 16, 23 and 30 March 2025 (DST starts 30 March) and 6 April.
    pairs = recurrence_expand(
        rrule="FREQ=WEEKLY;COUNT=4",
        dtstart=datetime(2025, 3, 16, 18, 0),
        duration=timedelta(hours=2),
    )
    assert [local(start).strftime("%Y-%m-%d %H:%M %z") for start, _ in pairs] == [
        "2025-03-16 18:00 +0100",
        "2025-03-23 18:00 +0100",
        "2025-03-30 18:00 +0200",
        "2025-04-06 18:00 +0200",
    ]
    assert all(end - start == timedelta(hours=2) for start, end in pairs)


def test_weekly_circle_keeps_18_local_across_the_last_sunday_of_october():
    pairs = recurrence_expand(
        rrule="FREQ=WEEKLY;BYDAY=SU;UNTIL=20251103T000000",
        dtstart=datetime(2025, 10, 19, 18, 0),
        duration=timedelta(minutes=90),
    )
    assert [local(start).strftime("%m-%d %H:%M %z") for start, _ in pairs] == [
        "10-19 18:00 +0200",
        "10-26 18:00 +0100",
        "11-02 18:00 +0100",
    ]
    # In UTC the wall-clock time moved by an hour: that is the point.
    assert pairs[0][0].astimezone(ZoneInfo("UTC")).hour == 16
    assert pairs[1][0].astimezone(ZoneInfo("UTC")).hour == 17


def test_exdates_remove_occurrences_by_time_or_by_day():
    pairs = recurrence_expand(
        rrule="FREQ=WEEKLY;COUNT=5",
        dtstart=datetime(2025, 9, 1, 18, 0),
        duration=timedelta(hours=1),
        exdates=[datetime(2025, 9, 8, 18, 0), date(2025, 9, 22)],
    )
    assert [local(start).date().isoformat() for start, _ in pairs] == [
        "2025-09-01",
        "2025-09-15",
        "2025-09-29",
    ]


def test_a_time_in_the_spring_gap_moves_forward_by_the_gap():
    # 02:30 on 30 March 2025 does not exist in Stockholm; RFC 5545 reads it as 03:30 CEST.
    pairs = recurrence_expand(
        rrule="FREQ=DAILY;COUNT=3",
        dtstart=datetime(2025, 3, 29, 2, 30),
        duration=timedelta(hours=1),
    )
    assert [local(start).strftime("%d %H:%M %z") for start, _ in pairs] == [
        "29 02:30 +0100",
        "30 03:30 +0200",
        "31 02:30 +0200",
    ]


def test_an_ambiguous_autumn_time_is_the_first_of_the_two():
    pairs = recurrence_expand(
        rrule="FREQ=DAILY;COUNT=1",
        dtstart=datetime(2025, 10, 26, 2, 30),
        duration=timedelta(hours=1),
    )
    assert local(pairs[0][0]).strftime("%H:%M %z") == "02:30 +0200"


def test_a_utc_until_is_understood():
    pairs = recurrence_expand(
        rrule="RRULE:FREQ=WEEKLY;UNTIL=20250915T160000Z",
        dtstart=datetime(2025, 9, 1, 18, 0),
        duration=timedelta(hours=1),
    )
    assert len(pairs) == 3


@pytest.mark.parametrize(
    ("rule", "code"),
    [
        ("FREQ=WEEKLY", "unbounded_rrule"),
        ("FREQ=DAILY;COUNT=101", "too_many_sessions"),
        ("FREQ=DAILY;UNTIL=20300101T000000", "too_many_sessions"),
        ("FREQ=SOMETIMES;COUNT=3", "invalid_rrule"),
        ("COUNT=3", "invalid_rrule"),
        ("FREQ=WEEKLY;COUNT=3;DTSTART=20250101T000000", "invalid_rrule"),
        ("FREQ=WEEKLY;COUNT=abc", "invalid_rrule"),
        ("", "invalid_rrule"),
    ],
)
def test_bad_or_unbounded_rules_are_refused_with_a_pointer(rule, code):
    with pytest.raises(InvalidInput) as caught:
        recurrence_expand(rrule=rule, dtstart=datetime(2025, 9, 1, 18, 0), duration=timedelta(hours=1))
    assert caught.value.errors[0]["code"] == code
    assert caught.value.errors[0]["pointer"] == "/recurrence/rrule"


def test_exactly_one_hundred_sessions_are_allowed():
    pairs = recurrence_expand(
        rrule="FREQ=DAILY;COUNT=100", dtstart=datetime(2025, 9, 1, 18, 0), duration=timedelta(hours=1)
    )
    assert len(pairs) == 100


def test_a_zero_duration_is_refused():
    with pytest.raises(InvalidInput) as caught:
        recurrence_expand(rrule="FREQ=DAILY;COUNT=2", dtstart=datetime(2025, 9, 1, 18), duration=timedelta(0))
    assert caught.value.errors[0]["pointer"] == "/recurrence/duration"
