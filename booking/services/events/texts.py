"""An event's texts: titles and descriptions cleaned, the short SMS title checked."""

from django.utils.translation import gettext as _

from booking.models import Event
from booking.services.gsm import is_gsm7_char, septets
from booking.validation import text_clean

SMS_TITLE_MAX = 40

# The event's free texts: single-line titles, multi-line descriptions (text_clean decides).
_SINGLE_LINE_TEXTS = ("title", "title_sv", "title_en", "sms_title")
_MULTI_LINE_TEXTS = ("description", "description_sv", "description_en")


def sms_title_check(value: str) -> str | None:
    """The reason a short SMS title is refused, or None. GSM-7 only (so an SMS stays one
    160-character segment instead of 70), at most 40 characters; newlines are refused."""
    if any(char in "\n\r\f" for char in value):
        return _("Den korta titeln får inte innehålla radbrytningar.")
    bad = sorted({char for char in value if not is_gsm7_char(char)})
    if bad:
        return _("Tecknen %(chars)s går inte att skicka i ett vanligt sms (GSM-7).") % {
            "chars": " ".join(bad)
        }
    if septets(value) > SMS_TITLE_MAX:
        return _("Den korta titeln får vara högst %(max)s tecken.") % {"max": SMS_TITLE_MAX}
    return None


def texts_clean(fields: dict) -> dict:
    """The event's texts in `fields`, cleaned by the one text cleaner (errors at their pointers)."""
    for name in (*_SINGLE_LINE_TEXTS, *_MULTI_LINE_TEXTS):
        if fields.get(name):
            max_length = Event._meta.get_field(name).max_length or 20_000
            fields[name] = text_clean(
                fields[name], pointer=f"/{name}", max_length=max_length, multiline=name in _MULTI_LINE_TEXTS
            )
    return fields
