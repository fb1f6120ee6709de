"""Per-address limits for the public forms (booking, lost link), kept in the cache.

The address is backend.client_ip's, as for the API's throttles, so both count one client alike.

With Redis as the cache every web node shares the count; with the embedded default each
process counts alone, which still stops a script hammering one node. The booking limit is the
API's `booking` rate, so that the page and the API give a client the same room.
"""

import time

from django.conf import settings
from django.core.cache import cache

from backend.client_ip import client_ip

_PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}

# Scope → the API_THROTTLE_RATES entry to follow, or a fixed rate.
RATES = {"booking": "booking", "lost_link": "5/15min"}


def _parse(rate: str) -> tuple[int, int]:
    count, _sep, period = rate.partition("/")
    digits = "".join(ch for ch in period if ch.isdigit())
    unit = period[len(digits) :] if period[: len(digits)] == digits else period
    return int(count), int(digits or 1) * _PERIODS.get(unit, 60)


def _rate(scope: str) -> str | None:
    rates = settings.API_THROTTLE_RATES
    if not rates:  # an empty API_THROTTLE_RATES turns throttling off everywhere
        return None
    rate = RATES[scope]
    return rates.get(rate) if "/" not in rate else rate


def throttled(request, scope: str) -> bool:
    """Count this request against the client's limit for `scope`; True when it is over."""
    rate = _rate(scope)
    if not rate:
        return False
    limit, period = _parse(rate)
    window = int(time.time() // period)
    key = f"web-throttle:{scope}:{client_ip(request)}:{window}"
    if cache.add(key, 1, period + 1):
        return limit < 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, period + 1)
        count = 1
    return count > limit


def throttled_response(request, retry_after: str):
    from django.shortcuts import render

    response = render(request, "web/throttled.html", status=429)
    response["Retry-After"] = retry_after
    return response
