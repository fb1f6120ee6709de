"""Expanding a reading circle's recurrence rule into sessions, in local wall-clock time.

The rule runs over naive Europe/Stockholm times and each occurrence is localised afterwards,
so that a circle at 18:00 stays at 18:00 on both sides of a DST change. Local times that do
not exist or happen twice are resolved as RFC 5545 (3.3.5) says:

- a time in the spring gap (02:30 on the last Sunday of March) is read with the offset before
  the gap, which moves it forward by the gap's length (03:30 CEST);
- a time in the autumn overlap (02:30 on the last Sunday of October) is the first of the two
  (CEST, fold=0).

Both are deliberate and tested; neither crashes.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from django.conf import settings
from django.utils.translation import gettext as _

from booking.errors import InvalidInput

MAX_SESSIONS = 100
# Rule parts we pass to dateutil. DTSTART comes apart; RDATE/EXDATE are not part of an RRULE.
_ALLOWED_PARTS = {
    "FREQ",
    "UNTIL",
    "COUNT",
    "INTERVAL",
    "BYSECOND",
    "BYMINUTE",
    "BYHOUR",
    "BYDAY",
    "BYMONTHDAY",
    "BYYEARDAY",
    "BYWEEKNO",
    "BYMONTH",
    "BYSETPOS",
    "WKST",
}


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _invalid(pointer: str, code: str, detail: str) -> InvalidInput:
    return InvalidInput(errors=[{"pointer": pointer, "code": code, "detail": detail}])


def localise(naive: datetime) -> datetime:
    """A naive local wall-clock time → an aware time (RFC 5545 rules for gaps and overlaps)."""
    zone = local_zone()
    # fold=0: the first of two ambiguous times; for a time in the gap, zoneinfo uses the offset
    # before the gap. Normalising through UTC gives the real wall-clock time (03:30, not 02:30).
    aware = naive.replace(tzinfo=zone, fold=0)
    return aware.astimezone(UTC).astimezone(zone)


def to_local_naive(value: datetime) -> datetime:
    """Aware → naive local; naive is taken as already local."""
    if value.tzinfo is None:
        return value
    return value.astimezone(local_zone()).replace(tzinfo=None)


def _normalise_rule(rule: str, *, pointer: str) -> str:
    """Check the rule's parts and bound; rewrite a UTC UNTIL into local naive time (dateutil
    refuses an aware UNTIL with a naive DTSTART)."""
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    if not text or "\n" in text:
        raise _invalid(pointer, "invalid_rrule", _("Upprepningsregeln kunde inte tolkas."))
    parts: dict[str, str] = {}
    for chunk in text.split(";"):
        name, sep, value = chunk.partition("=")
        name = name.strip().upper()
        if not sep or not value or name not in _ALLOWED_PARTS or name in parts:
            raise _invalid(pointer, "invalid_rrule", _("Upprepningsregeln kunde inte tolkas."))
        parts[name] = value.strip()
    if "FREQ" not in parts:
        raise _invalid(pointer, "invalid_rrule", _("Upprepningsregeln saknar FREQ."))
    if "COUNT" not in parts and "UNTIL" not in parts:
        raise _invalid(
            pointer,
            "unbounded_rrule",
            _("Upprepningsregeln måste sluta: ange COUNT eller UNTIL."),
        )
    until = parts.get("UNTIL", "")
    if until.upper().endswith("Z"):
        try:
            moment = datetime.strptime(until.upper(), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            raise _invalid(pointer, "invalid_rrule", _("UNTIL kunde inte tolkas.")) from None
        parts["UNTIL"] = to_local_naive(moment).strftime("%Y%m%dT%H%M%S")
    return ";".join(f"{name}={value}" for name, value in parts.items())


def recurrence_expand(
    *,
    rrule: str,
    dtstart: datetime,
    duration: timedelta,
    exdates: Iterable[datetime | date] = (),
    pointer: str = "/recurrence",
) -> list[tuple[datetime, datetime]]:
    """The (start, end) pairs of a rule, aware, in order. dtstart and exdates are naive local
    Europe/Stockholm times (aware values are converted); an exdate that is a date removes
    every occurrence on that day. At most MAX_SESSIONS sessions; the rule must be bounded."""
    if duration is None or duration <= timedelta(0):
        raise _invalid(f"{pointer}/duration", "invalid", _("Längden måste vara större än noll."))
    if duration > timedelta(days=1):
        raise _invalid(f"{pointer}/duration", "invalid", _("Ett tillfälle kan vara högst ett dygn."))
    start_local = to_local_naive(dtstart).replace(microsecond=0)
    rule_text = _normalise_rule(rrule, pointer=f"{pointer}/rrule")
    try:
        rule = rrulestr(rule_text, dtstart=start_local)
    except (ValueError, TypeError, OverflowError):
        raise _invalid(
            f"{pointer}/rrule", "invalid_rrule", _("Upprepningsregeln kunde inte tolkas.")
        ) from None

    excluded_times = set()
    excluded_days = set()
    for value in exdates:
        if isinstance(value, datetime):
            excluded_times.add(to_local_naive(value).replace(microsecond=0))
        else:
            excluded_days.add(value)

    pairs: list[tuple[datetime, datetime]] = []
    # Bound the walk itself, so that a rule whose every occurrence is excluded cannot spin.
    limit = MAX_SESSIONS + len(excluded_times) + 31 * max(1, len(excluded_days)) + 1
    try:
        for occurrence in islice(rule, limit):
            if occurrence in excluded_times or occurrence.date() in excluded_days:
                continue
            if len(pairs) == MAX_SESSIONS:
                raise _invalid(
                    f"{pointer}/rrule",
                    "too_many_sessions",
                    _("Regeln ger fler än %(max)s tillfällen.") % {"max": MAX_SESSIONS},
                )
            start = localise(occurrence)
            pairs.append((start, start + duration))
    except (ValueError, OverflowError):
        raise _invalid(
            f"{pointer}/rrule", "invalid_rrule", _("Upprepningsregeln kunde inte tolkas.")
        ) from None
    if not pairs:
        raise _invalid(f"{pointer}/rrule", "no_sessions", _("Regeln ger inga tillfällen."))
    return pairs
