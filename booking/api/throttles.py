"""The `booking` throttle scope: how often one caller (user, or IP when anonymous) may book.

The rate comes from API_THROTTLE_RATES (e.g. booking=20/min); without a `booking` entry, or
with throttling off (an empty API_THROTTLE_RATES), bookings are not throttled. A throttled call
is a 429 problem+json with Retry-After (backend.errors)."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class BookingRateThrottle(SimpleRateThrottle):
    scope = "booking"

    def get_rate(self):
        # Read at request time (not DRF's import-time copy), so settings changes apply.
        return (settings.API_THROTTLE_RATES or {}).get(self.scope)

    def get_cache_key(self, request, view):
        user = getattr(request, "user", None)
        ident = f"user:{user.pk}" if user is not None and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
