"""The development e-mail backend (settings' default EMAIL_BACKEND): Django's console backend,
which prints every message whole, while DEBUG is on. In production it logs one line per
message instead: which notification, to masked addresses, and how long. A message's text holds
a booker's manage link or an account's sign-in link, and logs are read by more people, and
kept longer, than either should be."""

import logging

from django.conf import settings
from django.core.mail.backends import console

from notifications.redact import mask_contact

logger = logging.getLogger("notifications.mail")


class EmailBackend(console.EmailBackend):
    def write_message(self, message):
        if settings.DEBUG:
            return super().write_message(message)
        logger.info(
            "E-mail (console, not sent) notification %s to %s, %d characters",
            getattr(message, "notification_id", "-"),  # set by notifications.dispatch
            ", ".join(mask_contact(address) for address in message.recipients()),
            len(message.body),
        )
