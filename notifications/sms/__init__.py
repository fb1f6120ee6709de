"""The SMS gateway: one small interface, a backend picked by settings.SMS_BACKEND (like
EMAIL_BACKEND).

    send(to, body, *, status_callback) -> SendResult

raises SmsRetryable (try again later: connection errors, 429, 5xx), SmsPermanent (never retry:
a bad or non-mobile number), SmsOptedOut (the recipient sent STOP to the provider) or
SmsUnknownOutcome (no answer: the provider may have taken it).

Backends: "console" (the default: nothing is sent; the message is logged and recorded in
`console.outbox` for tests) and "twilio" (notifications.sms.twilio_backend, the only module
that imports twilio).
"""

from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string

BACKENDS = {
    "console": "notifications.sms.console.ConsoleBackend",
    "twilio": "notifications.sms.twilio_backend.TwilioBackend",
}


@dataclass(frozen=True)
class SendResult:
    provider_id: str
    status: str = "sent"  # the provider's first word on it: queued, accepted, sent


class SmsError(Exception):
    def __init__(self, message: str, *, code: str = ""):
        super().__init__(message)
        self.code = code
        self.message = message


class SmsRetryable(SmsError):
    """Try again later."""


class SmsUnknownOutcome(SmsError):
    """The request may or may not have reached the provider (a read timeout): not retried, so
    that it is never sent twice; the provider's status callback settles it."""


class SmsPermanent(SmsError):
    """Do not try again: the reason is for staff to see."""


class SmsOptedOut(SmsPermanent):
    """The recipient has opted out at the provider (Twilio 21610)."""


def get_backend(name: str | None = None):
    return _backend(name or settings.SMS_BACKEND)


@lru_cache(maxsize=4)
def _backend(name: str):
    path = BACKENDS.get(name, name)
    return import_string(path)()


def reset_backends() -> None:
    """Forget built backends (tests change Twilio settings)."""
    _backend.cache_clear()
