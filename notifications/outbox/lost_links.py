"""The lost-link page's message (web.lost_links): a contact's manage links, written with its
text."""

import uuid

from django.utils import timezone

from notifications.models import Notification
from notifications.outbox.rows import rows_insert


def notify_lost_links(
    *, channel, recipient, language, subject, body, booking=None, link="", now=None
) -> None:
    """The lost-link page's message with a contact's manage links (written with its text)."""
    now = now or timezone.now()
    row = Notification(
        channel=channel,
        recipient=recipient,
        template="lost_link",
        language=language,
        subject=subject,
        body=body,
        booking=booking,
        link=link,
        due_at=now,
        dedupe_key=f"lost_link:{uuid.uuid4().hex}",
    )
    rows_insert([row])
