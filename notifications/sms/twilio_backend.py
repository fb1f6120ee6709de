"""Twilio, through twilio-python's own client. The only module that imports twilio.

Settings: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM (an alphanumeric sender such as
"Lasrum", or a number) or TWILIO_MESSAGING_SERVICE_SID (which wins when set: Advanced Opt-Out
lives on a Messaging Service), TWILIO_REGION / TWILIO_EDGE (the client rewrites host names),
TWILIO_API_BASE_URL (twilio-python reads no such setting, so our HTTP client rewrites the
scheme and host of every request to it: a regional proxy, or the fake server in tests),
SMS_VALIDITY_SECONDS (Twilio drops a message still queued after that long: a stale reminder
dies in Twilio's queue too).

Errors (https://www.twilio.com/docs/errors/): 21211 invalid number, 21614 not a mobile number,
21635 not a valid mobile number → permanent; 21610 recipient replied STOP → opted out; 429,
5xx and connection failures → retryable. Other 4xx are mistakes in our request or account:
permanent, with Twilio's message kept as the reason.
"""

import logging
from urllib.parse import urlsplit, urlunsplit

import requests
from django.conf import settings
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from notifications.sms import SendResult, SmsOptedOut, SmsPermanent, SmsRetryable, SmsUnknownOutcome

logger = logging.getLogger("notifications.sms")

OPTED_OUT = {21610}
BAD_NUMBER = {21211, 21614, 21635}
TIMEOUT_SECONDS = 10


class RebasedHttpClient(TwilioHttpClient):
    """Sends every request for *.twilio.com to `base_url` instead (scheme, host and port)."""

    def __init__(self, base_url: str, **kwargs):
        super().__init__(**kwargs)
        self.base = urlsplit(base_url.rstrip("/"))

    def request(self, method, url, *args, **kwargs):
        parts = urlsplit(url)
        if self.base.netloc and parts.hostname and parts.hostname.endswith("twilio.com"):
            url = urlunsplit(
                (self.base.scheme, self.base.netloc, self.base.path + parts.path, parts.query, "")
            )
        return super().request(method, url, *args, **kwargs)


class TwilioBackend:
    name = "twilio"

    def __init__(self):
        if not (settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN):
            raise SmsPermanent("SMS_BACKEND=twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN")
        if settings.TWILIO_API_BASE_URL:
            http_client = RebasedHttpClient(settings.TWILIO_API_BASE_URL, timeout=TIMEOUT_SECONDS)
        else:
            http_client = TwilioHttpClient(timeout=TIMEOUT_SECONDS)
        self.client = Client(
            settings.TWILIO_ACCOUNT_SID,
            settings.TWILIO_AUTH_TOKEN,
            region=settings.TWILIO_REGION or None,
            edge=settings.TWILIO_EDGE or None,
            http_client=http_client,
            environment={},  # settings only: never pick up TWILIO_* from os.environ behind our back
        )

    def send(self, to: str, body: str, *, status_callback: str = "") -> SendResult:
        params = {"to": to, "body": body, "validity_period": settings.SMS_VALIDITY_SECONDS}
        if settings.TWILIO_MESSAGING_SERVICE_SID:
            params["messaging_service_sid"] = settings.TWILIO_MESSAGING_SERVICE_SID
        else:
            params["from_"] = settings.TWILIO_FROM
        if status_callback:
            params["status_callback"] = status_callback
        try:
            message = self.client.messages.create(**params)
        except TwilioRestException as exc:
            raise _classify(exc) from exc
        except requests.ConnectionError as exc:
            # Refused or reset before an answer. (A read timeout is a ConnectionError's sibling,
            # see below.) Twilio did not take the message: safe to try again.
            raise SmsRetryable(f"connection to Twilio failed: {exc.__class__.__name__}") from exc
        except requests.Timeout as exc:
            # Twilio may have taken the message before the answer was lost. Retrying could send
            # it twice; Twilio's status callback (carrying our id) settles it either way, and
            # the dispatcher leaves the row in "sending" for that.
            raise SmsUnknownOutcome("no answer from Twilio in time") from exc
        except requests.RequestException as exc:
            raise SmsRetryable(f"request to Twilio failed: {exc.__class__.__name__}") from exc
        return SendResult(provider_id=message.sid or "", status=message.status or "queued")


def _classify(exc: TwilioRestException):
    code = int(exc.code) if isinstance(exc.code, int) or str(exc.code).isdigit() else None
    reason = f"Twilio {code or exc.status}: {exc.msg}"[:200]
    if code in OPTED_OUT:
        return SmsOptedOut(reason, code=str(code))
    if exc.status == 429 or exc.status >= 500:
        return SmsRetryable(reason, code=str(code or exc.status))
    return SmsPermanent(reason, code=str(code or exc.status))


def signature_valid(url: str, params, signature: str) -> bool:
    """Is this X-Twilio-Signature Twilio's, for exactly this URL and these POST parameters?"""
    if not signature or not settings.TWILIO_AUTH_TOKEN:
        return False
    return RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(url, params, signature)
