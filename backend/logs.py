"""No tokens in logs: a path that carries a manage, calendar or private-feed token is logged
with the token replaced, by Django's loggers (a filter on the console handler) and by
gunicorn's access log (GunicornLogger, `--logger-class backend.logs.GunicornLogger`).

Whoever holds a manage token can change or cancel that booking, and a private-feed token shows
a staff member's calendar: a log line is read by more people, and kept longer, than either.
This module imports nothing of Django, so gunicorn can load it before the application.
"""

import logging
import re

from gunicorn.glogging import Logger

REDACTED = "<token>"
# The URL shapes that carry a secret (web/urls.py, feeds/urls.py, booking/api/booking_urls.py),
# and a `token=` query parameter anywhere.
_TOKEN_IN_PATH = re.compile(r"(/b/|/feeds/private/|/feeds/bookings/|/api/v1/bookings/manage/)[A-Za-z0-9_\-]+")
_TOKEN_IN_QUERY = re.compile(r"([?&](?:token|key)=)[^&\s\"']+")


def redact(text: str) -> str:
    """TEXT with every token of a token-bearing URL replaced by <token>."""
    if not text:
        return text
    return _TOKEN_IN_QUERY.sub(rf"\g<1>{REDACTED}", _TOKEN_IN_PATH.sub(rf"\g<1>{REDACTED}", text))


class RedactTokens(logging.Filter):
    """Rewrites a record's message (e.g. django.request's "Not Found: /b/<token>")."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


class GunicornLogger(Logger):
    """gunicorn's logger with the request line, path, query and referrer redacted."""

    _REDACTED_ATOMS = ("r", "U", "q", "f", "{referer}i")

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for name in self._REDACTED_ATOMS:
            if isinstance(atoms.get(name), str):
                atoms[name] = redact(atoms[name])
        return atoms
