"""Development backend: nothing leaves the machine. Each message is logged and kept in
`outbox` (a list) so that tests and the demo can see what would have been sent."""

import logging
import uuid

from notifications.sms import SendResult

logger = logging.getLogger("notifications.sms")

outbox: list[dict] = []


class ConsoleBackend:
    name = "console"

    def send(self, to: str, body: str, *, status_callback: str = "") -> SendResult:
        provider_id = f"console-{uuid.uuid4().hex}"
        outbox.append({"to": to, "body": body, "status_callback": status_callback, "id": provider_id})
        logger.info("SMS (console, not sent) to %s: %s", to, body)
        return SendResult(provider_id=provider_id, status="sent")
