"""Reminder times and quiet hours (local Europe/Stockholm), across the DST changes.

2026: summer time starts Sunday 29 March (02:00 → 03:00), ends Sunday 25 October (03:00 → 02:00).
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from notifications import schedule

LOCAL = ZoneInfo("Europe/Stockholm")
QUIET = (time(21, 0), time(8, 0))
H24, H2 = timedelta(hours=24), timedelta(hours=2)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=LOCAL)


def times(start, *, now, offsets=(H24, H2), quiet=QUIET):
    return schedule.reminder_times(start=start, offsets=list(offsets), now=now, quiet=quiet)


def test_reminders_fall_their_offset_before_the_start_in_the_day():
    due = times(local(2026, 5, 20, 18, 0), now=local(2026, 5, 1, 12, 0))
    assert due[H24].at == local(2026, 5, 19, 18, 0)
    assert due[H2].at == local(2026, 5, 20, 16, 0)


def test_a_reminder_in_quiet_hours_goes_at_the_end_of_the_previous_evening_not_at_night():
    # 09:00 session: the 2h reminder would be 07:00; it goes the evening before, before 21:00.
    due = times(local(2026, 5, 20, 9, 0), now=local(2026, 5, 1, 12, 0))
    assert due[H2].at == local(2026, 5, 19, 20, 55)
    assert not schedule.in_quiet_hours(due[H2].at, quiet=QUIET)
    # ... which is later than the 24h one (09:00 the day before), so both stay.
    assert due[H24].at == local(2026, 5, 19, 9, 0)


def test_a_session_booked_late_in_the_evening_gets_its_reminder_at_eight():
    # A 09:00 session booked at 22:00: the evening slot has passed, 08:00 is before the start.
    due = times(local(2026, 5, 20, 9, 0), now=local(2026, 5, 19, 22, 0))
    assert due[H2].at == local(2026, 5, 20, 8, 0)
    assert due[H24].at is None and due[H24].reason == schedule.REASON_BOOKED_AFTER_DUE


def test_an_early_session_booked_late_is_suppressed_with_the_quiet_hours_reason():
    # A 07:30 session booked at 22:00: 08:00 is after the start, and the night is quiet.
    due = times(local(2026, 5, 20, 7, 30), now=local(2026, 5, 19, 22, 0), offsets=[H2])
    assert due[H2].at is None and due[H2].reason == schedule.REASON_QUIET_HOURS


def test_nothing_is_scheduled_after_the_session_started():
    due = times(local(2026, 5, 20, 18, 0), now=local(2026, 5, 20, 18, 5), offsets=[H2])
    assert due[H2].at is None


@pytest.mark.parametrize(
    ("start", "expected_24h"),
    [
        # The day after summer time starts: "24h before" is the same wall-clock time the day before.
        (local(2026, 3, 30, 18, 0), local(2026, 3, 29, 18, 0)),
        (local(2026, 10, 26, 18, 0), local(2026, 10, 25, 18, 0)),
    ],
    ids=["spring-forward", "fall-back"],
)
def test_a_whole_day_reminder_keeps_the_wall_clock_time_across_dst(start, expected_24h):
    due = times(start, now=local(2026, 3, 1, 12, 0), offsets=[H24])
    assert due[H24].at == expected_24h
    assert due[H24].at.astimezone(LOCAL).hour == 18


@pytest.mark.parametrize(
    ("session", "expected"),
    [
        (local(2026, 3, 29, 9, 0), local(2026, 3, 28, 20, 55)),  # the night clocks go forward
        (local(2026, 10, 25, 9, 0), local(2026, 10, 24, 20, 55)),  # the night clocks go back
    ],
    ids=["spring-forward", "fall-back"],
)
def test_quiet_hours_are_local_time_on_the_nights_the_clocks_change(session, expected):
    due = times(session, now=local(2026, 3, 1, 12, 0), offsets=[H2])
    assert due[H2].at == expected
    assert due[H2].at.astimezone(LOCAL).time() == time(20, 55)


def test_the_end_of_quiet_hours_is_eight_local_after_the_clocks_change():
    # 23:00 on the night summer time ends is 22:00 UTC; 08:00 the next morning is 07:00 UTC.
    end = schedule.quiet_hours_end(local(2026, 10, 24, 23, 0), quiet=QUIET)
    assert end == local(2026, 10, 25, 8, 0)
    assert end.utcoffset() is None or end.astimezone(ZoneInfo("UTC")).hour == 7


def test_no_quiet_hours_when_the_setting_is_empty():
    due = times(local(2026, 5, 20, 9, 0), now=local(2026, 5, 1, 12, 0), offsets=[H2], quiet=None)
    assert due[H2].at == local(2026, 5, 20, 7, 0)


def test_two_reminders_pushed_to_the_same_moment_become_one():
    # A 08:30 session booked the evening before at 22:00: both would go at 08:00.
    due = times(
        local(2026, 5, 20, 8, 30),
        now=local(2026, 5, 19, 22, 0),
        offsets=[timedelta(hours=1), timedelta(minutes=30)],
    )
    sent = [offset for offset, d in due.items() if d.at]
    assert sent == [timedelta(minutes=30)]
    assert due[timedelta(hours=1)].reason == schedule.REASON_SUPERSEDED


def test_an_sms_at_night_waits_for_the_morning_unless_that_is_too_late():
    night = local(2026, 5, 19, 23, 30)
    assert schedule.deferred_for_quiet_hours(night, not_after=None, quiet=QUIET).at == local(
        2026, 5, 20, 8, 0
    )
    too_late = schedule.deferred_for_quiet_hours(night, not_after=local(2026, 5, 20, 7, 0), quiet=QUIET)
    assert too_late.at is None and too_late.reason == schedule.REASON_QUIET_HOURS


def test_retry_delays_grow_exponentially_with_jitter_and_a_cap():
    low = [schedule.retry_delay(n, rand=lambda: 0.0).total_seconds() for n in range(1, 5)]
    high = [schedule.retry_delay(n, rand=lambda: 1.0).total_seconds() for n in range(1, 5)]
    assert low == [15, 30, 60, 120] and high == [30, 60, 120, 240]
    assert schedule.retry_delay(30).total_seconds() <= 3600
