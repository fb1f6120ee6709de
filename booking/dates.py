"""The one date and time style of Läsrum, for every page, SMS and e-mail.

    Swedish: "mån 7 dec kl. 18.00"    English: "Mon 7 Dec, 18:00"

Times are shown in the site's zone (settings.TIME_ZONE), whatever zone they are stored in; the
year is added when it is not the current one ("mån 7 dec 2027 kl. 18.00"). The names are
spelled out here, not taken from the process's locale, so that a server's locale settings
cannot change what a reader sees. Templates use the `when` filters in
web/templatetags/lasrum_web.py, which call these functions.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language

_WEEKDAYS = {
    "sv": ("mån", "tis", "ons", "tors", "fre", "lör", "sön"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
_MONTHS = {
    "sv": ("jan", "feb", "mars", "apr", "maj", "juni", "juli", "aug", "sep", "okt", "nov", "dec"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}


def _language(language: str | None) -> str:
    language = (language or get_language() or "sv").lower()
    return "en" if language.startswith("en") else "sv"


def _local(moment: datetime) -> datetime:
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, ZoneInfo(settings.TIME_ZONE))
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE))


def _today() -> date:
    return timezone.now().astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def format_date(
    value: date | datetime | None,
    language: str | None = None,
    *,
    weekday: bool = True,
    year: bool | None = None,
) -> str:
    """ "mån 7 dec" / "Mon 7 Dec" ("3 mars" without the weekday); the year when it is not this
    year, or always/never with `year`."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = _local(value).date()
    language = _language(language)
    parts = []
    if weekday:
        parts.append(_WEEKDAYS[language][value.weekday()])
    parts += [str(value.day), _MONTHS[language][value.month - 1]]
    if year or (year is None and value.year != _today().year):
        parts.append(str(value.year))
    return " ".join(parts)


def format_time(value: datetime | None, language: str | None = None) -> str:
    """ "18.00" / "18:00"."""
    if value is None or value == "":
        return ""
    local = _local(value)
    return f"{local:%H.%M}" if _language(language) == "sv" else f"{local:%H:%M}"


def _join(day: str, time: str, language: str) -> str:
    return f"{day} kl. {time}" if language == "sv" else f"{day}, {time}"


def format_datetime(value: datetime | None, language: str | None = None, *, weekday: bool = True) -> str:
    """ "mån 7 dec kl. 18.00" / "Mon 7 Dec, 18:00"."""
    if value is None or value == "":
        return ""
    language = _language(language)
    return _join(format_date(value, language, weekday=weekday), format_time(value, language), language)


def format_range(start: datetime | None, end: datetime | None, language: str | None = None) -> str:
    """ "mån 7 dec kl. 18.00–19.30" / "Mon 7 Dec, 18:00–19:30"; both dates when it ends on
    another day."""
    if start is None or start == "":
        return ""
    language = _language(language)
    if end is None or end == "":
        return format_datetime(start, language)
    if _local(start).date() == _local(end).date():
        return _join(
            format_date(start, language),
            f"{format_time(start, language)}–{format_time(end, language)}",
            language,
        )
    return f"{format_datetime(start, language)} – {format_datetime(end, language)}"
