"""Message bodies from the template files under templates/notifications/, in the reader's language.

Files: sms/<name>.<lang>.txt and email/<name>.<lang>.txt (the first line of an e-mail file is
its subject). They are plain text, rendered without HTML escaping, with the booking's language
active (translation.override) so that dates read "onsdag 30 september" or "Wednesday 30
September". Swedish and English are both files, so that the SMS length test sees exactly what
goes out in each language.

An SMS body is made GSM-7 (see gsm.py) and kept to two segments: a long title is shortened
first, then the library's name.
"""

from datetime import datetime
from functools import lru_cache

from django.conf import settings
from django.template import Context, Engine
from django.utils import translation

from booking import dates
from notifications import gsm

LANGUAGES = ("sv", "en")
MAX_SMS_SEGMENTS = 2
SMS_TITLE_LIMIT = 40  # Event.sms_title's own limit
SMS_LIBRARY_LIMIT = 40


@lru_cache(maxsize=1)
def _engine() -> Engine:
    return Engine(dirs=[settings.BASE_DIR / "templates"], autoescape=False)


def _language(language: str) -> str:
    return language if language in LANGUAGES else "sv"


def _render(path: str, context: dict, language: str) -> str:
    with translation.override(language):
        return _engine().get_template(path).render(Context(context, autoescape=False))


def local_when(moment: datetime | None, language: str, *, short: bool = False) -> str:
    """'mån 7 dec kl. 18.00' / 'Mon 7 Dec, 18:00' in local time (booking.dates, the one style of
    every page and message); the year is added when it is not this year (`short` kept for
    callers: the style is short already)."""
    return dates.format_datetime(moment, _language(language))


def local_time(moment: datetime | None, language: str) -> str:
    return dates.format_time(moment, _language(language))


def sms_title(event, language: str) -> str:
    """A GSM-7 title for SMS: sms_title, else a title in the reader's language or the event's
    own, transliterated when most of its letters survive ('Čáhppes' → 'Cahppes'), else a word
    for 'the event'."""
    candidates = [event.sms_title]
    candidates += [event.title_en, event.title_sv] if language == "en" else [event.title_sv, event.title_en]
    candidates.append(event.title)
    for candidate in candidates:
        if candidate and gsm.readable_share(candidate) >= 0.8:
            return gsm.shorten(gsm.to_gsm7(candidate), SMS_TITLE_LIMIT)
    return "evenemanget" if language == "sv" else "the event"


def render_sms(name: str, context: dict, language: str) -> str:
    """A GSM-7 SMS body of at most two segments."""
    language = _language(language)
    context = dict(context)
    for title_limit in (SMS_TITLE_LIMIT, 30, 20, 12):
        context["event"] = gsm.shorten(context.get("event", ""), title_limit)
        context["library"] = gsm.shorten(context.get("library", ""), SMS_LIBRARY_LIMIT)
        context["room"] = gsm.shorten(context.get("room", ""), title_limit)
        body = _tidy(_render(f"notifications/sms/{name}.{language}.txt", context, language))
        body = gsm.to_gsm7(body, replacement="?")
        if gsm.segments(body)[1] <= MAX_SMS_SEGMENTS:
            return body
    return body  # the templates test proves this is never reached with realistic values


def render_email(name: str, context: dict, language: str) -> tuple[str, str]:
    """(subject, body) of an e-mail."""
    language = _language(language)
    text = _render(f"notifications/email/{name}.{language}.txt", context, language)
    subject, _, body = text.lstrip().partition("\n")
    return " ".join(subject.split())[:200], _tidy(body) + "\n"


def _tidy(text: str) -> str:
    """Trim lines and drop the runs of blank lines that template tags leave behind."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line.strip() if not line.strip() else line)
    return "\n".join(out).strip()
