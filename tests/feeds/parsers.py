"""Independent iCalendar parsers, each reduced to the same list of occurrences, so that a test
can compare what vobject, Mozilla's ical.js (Thunderbird), ics and recurring-ical-events see
with what the database holds."""

import json
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.conftest import skip_or_fail

LOCAL = ZoneInfo("Europe/Stockholm")
JS_DIR = Path(__file__).parent / "js"


@dataclass(frozen=True, order=True)
class Occurrence:
    uid: str
    start_utc: str  # 2026-03-29T16:00:00Z
    end_utc: str
    start_local: str  # wall-clock in Europe/Stockholm: 2026-03-29T18:00


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _occurrence(uid, start: datetime, end: datetime) -> Occurrence:
    return Occurrence(str(uid), _utc(start), _utc(end), start.astimezone(LOCAL).strftime("%Y-%m-%dT%H:%M"))


def db_occurrences(sessions) -> list[Occurrence]:
    return sorted(_occurrence(f"{s.uid}@lasrum", s.start, s.end) for s in sessions)


def vobject_occurrences(body: bytes) -> list[Occurrence]:
    """vobject with its validate() raising on any error; rules expanded with its rruleset."""
    import vobject

    calendar = vobject.readOne(body.decode("utf-8"), validate=True)
    calendar.validate(raiseException=True)
    out = []
    for vevent in getattr(calendar, "vevent_list", []):
        vevent.validate(raiseException=True)
        start, end = vevent.dtstart.value, vevent.dtend.value
        assert start.tzinfo is not None, "every timed event must carry a zone"
        duration = end - start
        ruleset = vevent.getrruleset(addRDate=True)
        starts = list(ruleset) if ruleset else [start]
        out += [_occurrence(vevent.uid.value, begin, begin + duration) for begin in starts]
    return sorted(out)


def icaljs_occurrences(body: bytes) -> tuple[list[Occurrence], list[dict]]:
    """Mozilla's ical.js run with node; returns the occurrences and its raw records."""
    node = shutil.which("node")
    if not node:
        skip_or_fail("node is not installed (needed for Mozilla's ical.js)")
    if not (JS_DIR / "node_modules" / "ical.js").exists():
        skip_or_fail("ical.js is not installed: run `npm ci --prefix tests/feeds/js`")
    result = subprocess.run(
        [node, str(JS_DIR / "parse.mjs")], input=body, capture_output=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr.decode()
    records = json.loads(result.stdout)
    out = []
    for record in records:
        start_utc = datetime.strptime(record["start_utc"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        end_utc = datetime.strptime(record["end_utc"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        occurrence = _occurrence(record["uid"], start_utc, end_utc)
        # ical.js's own wall-clock reading of the local time must agree with its UTC instant.
        assert occurrence.start_local == record["start"], record
        out.append(occurrence)
    return sorted(out), records


def ics_occurrences(body: bytes) -> list[Occurrence]:
    """The `ics` package (it does not expand rules: we publish one VEVENT per session)."""
    import ics

    calendar = ics.Calendar(body.decode("utf-8"))
    return sorted(_occurrence(e.uid, e.begin.datetime, e.end.datetime) for e in calendar.events)


def recurring_occurrences(body: bytes, start: datetime, end: datetime) -> list[Occurrence]:
    """icalendar + recurring-ical-events, expanded between start and end."""
    import icalendar
    import recurring_ical_events

    calendar = icalendar.Calendar.from_ical(body)
    events = recurring_ical_events.of(calendar).between(start, end)
    return sorted(_occurrence(e["UID"], e.start, e.end) for e in events)


def all_parsers_agree(body: bytes, expected: list[Occurrence]) -> dict:
    """Parse with every parser; assert each sees exactly the expected occurrences."""
    seen = {
        "vobject": vobject_occurrences(body),
        "ics": ics_occurrences(body),
        "recurring-ical-events": recurring_occurrences(
            body, datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
        ),
    }
    seen["ical.js"], records = icaljs_occurrences(body)
    for name, occurrences in seen.items():
        assert occurrences == expected, f"{name} sees other occurrences than the database holds"
    return {"icaljs_records": records}
