"""Small typed readers for the environment: every setting that varies by deployment comes through here."""

import os
from datetime import timedelta

import phonenumbers
from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"{name} must be set")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 0 or 1, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    raw = os.environ.get(name, default)
    return [item.strip() for item in raw.split(",") if item.strip()]


_UNITS = {"s": "seconds", "m": "minutes", "min": "minutes", "h": "hours", "d": "days"}


def parse_duration_list(raw: str) -> list[timedelta]:
    """'24h,2h,30m' -> [timedelta(hours=24), timedelta(hours=2), timedelta(minutes=30)]."""
    result = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        number = item.rstrip("abcdefghijklmnopqrstuvwxyz")
        unit = item[len(number) :] or "h"
        if unit not in _UNITS or not number.isdigit():
            raise ImproperlyConfigured(f"cannot read duration {item!r}: use e.g. 24h, 2h, 30m")
        result.append(timedelta(**{_UNITS[unit]: int(number)}))
    return result


def parse_throttle_rates(raw: str) -> dict[str, str | None]:
    """'anon=120/min,user=1200/min' -> {'anon': '120/min', ...}; an empty value turns throttling off."""
    rates: dict[str, str | None] = {}
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        scope, sep, rate = (part.strip() for part in item.partition("="))
        number, slash, period = rate.partition("/")
        # DRF reads the period by its first letter (s, m, h, d); anything else would fail on
        # the first request instead of at start.
        if not (scope and sep and slash and number.isdigit() and period[:1] in {"s", "m", "h", "d"}):
            raise ImproperlyConfigured(f"API_THROTTLE_RATES: cannot read {item!r}: use scope=N/period")
        rates[scope] = rate
    return rates


_LIMIT_PERIODS = {
    "m": timedelta(minutes=1),
    "min": timedelta(minutes=1),
    "h": timedelta(hours=1),
    "hour": timedelta(hours=1),
    "d": timedelta(days=1),
    "day": timedelta(days=1),
}


def parse_message_limits(raw: str, *, name: str = "RECIPIENT_MESSAGE_LIMIT") -> list[tuple[int, timedelta]]:
    """'3/h,10/day' -> [(3, 1 hour), (10, 1 day)]: at most N messages within each window
    (periods m/min, h/hour, d/day). Empty -> [] (no limit)."""
    limits = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        number, slash, period = (part.strip() for part in item.partition("/"))
        if not (slash and number.isdigit() and period.lower() in _LIMIT_PERIODS):
            raise ImproperlyConfigured(
                f"{name}: cannot read {item!r}: use N/period with period m, min, h, hour, d or day"
                " (for example 3/h,10/day)"
            )
        limits.append((int(number), _LIMIT_PERIODS[period.lower()]))
    return limits


def parse_country_codes(raw: str, *, name: str = "SMS_ALLOWED_COUNTRIES") -> frozenset[str]:
    """'SE,NO,DK' -> {'SE', 'NO', 'DK'}: ISO 3166 codes of regions the phone-number library
    knows; '*' allows every country."""
    codes = {part.strip().upper() for part in raw.split(",") if part.strip()}
    if codes == {"*"}:
        return frozenset({"*"})
    unknown = sorted(code for code in codes if code not in phonenumbers.SUPPORTED_REGIONS)
    if not codes or unknown:
        raise ImproperlyConfigured(
            f"{name}: cannot read {raw!r}: list ISO country codes such as SE,NO,DK,FI,IS,AX (or * for all)"
        )
    return frozenset(codes)


def parse_quiet_hours(raw: str):
    """'21:00-08:00' -> (time(21), time(8)); empty -> None."""
    from datetime import time

    raw = raw.strip()
    if not raw:
        return None
    try:
        start, end = raw.split("-")
        sh, sm = (int(x) for x in start.split(":"))
        eh, em = (int(x) for x in end.split(":"))
        return time(sh, sm), time(eh, em)
    except ValueError as exc:
        raise ImproperlyConfigured(f"SMS_QUIET_HOURS: cannot read {raw!r}: use HH:MM-HH:MM") from exc
