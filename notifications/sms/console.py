"""Development backend: nothing leaves the machine. Each message is kept in `outbox` (a list)
so that tests and the demo can see what would have been sent, and logged: in full only with
DEBUG on. In production (a forgotten SMS_BACKEND) the log line says which notification, to a
masked number, and how long; never the text, which carries the booker's manage link."""

import logging
import uuid
from urllib.parse import parse_qs, urlsplit

from django.conf import settings

from notifications.redact import mask_contact
from notifications.sms import SendResult

logger = logging.getLogger("notifications.sms")

outbox: list[dict] = []


def notification_id(status_callback: str) -> str:
    """The notification's id from its StatusCallback URL (dispatch.status_callback_url)."""
    return (parse_qs(urlsplit(status_callback).query).get("n") or ["-"])[0]


class ConsoleBackend:
    name = "console"

    def send(self, to: str, body: str, *, status_callback: str = "") -> SendResult:
        provider_id = f"console-{uuid.uuid4().hex}"
        outbox.append({"to": to, "body": body, "status_callback": status_callback, "id": provider_id})
        if settings.DEBUG:
            logger.info("SMS (console, not sent) to %s: %s", to, body)
        else:
            logger.info(
                "SMS (console, not sent) notification %s to %s, %d characters",
                notification_id(status_callback),
                mask_contact(to),
                len(body),
            )
        return SendResult(provider_id=provider_id, status="sent")
