"""The API's throttles, counting a client by the address backend.client_ip vouches for.

DRF's own get_ident trusts the whole X-Forwarded-For header unless told how many proxies there
are, so a client that writes a new header each time is a new client each time. Every throttle
here identifies an anonymous caller by `client_ip` (NUM_PROXIES trusted proxies) instead.

The `booking` scope: how often one caller (user, or address when anonymous) may book. The rate
comes from API_THROTTLE_RATES (e.g. booking=20/min); without a `booking` entry, or with
throttling off (an empty API_THROTTLE_RATES), bookings are not throttled. A throttled call is a
429 problem+json with Retry-After (backend.errors)."""

from django.conf import settings
from rest_framework import throttling

from backend.client_ip import client_ip


class _ClientAddress:
    def get_ident(self, request):
        return client_ip(request)


class AnonRateThrottle(_ClientAddress, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_ClientAddress, throttling.UserRateThrottle):
    pass


class BookingRateThrottle(_ClientAddress, throttling.SimpleRateThrottle):
    scope = "booking"

    def get_rate(self):
        # Read at request time (not DRF's import-time copy), so settings changes apply.
        return (settings.API_THROTTLE_RATES or {}).get(self.scope)

    def get_cache_key(self, request, view):
        user = getattr(request, "user", None)
        ident = f"user:{user.pk}" if user is not None and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
