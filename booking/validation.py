"""Cleaning of a booker's contact details, shared by the API serializers and the public forms,
so that both refuse the same things with the same words.

Each function returns the cleaned value or raises InvalidInput with one pointer error; the
`pointer` argument names the field in the caller's input ("/phone", "/contacts/0/phone").
"""

import unicodedata

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from booking.errors import InvalidInput

NAME_MAX_LENGTH = 120
EMAIL_MAX_LENGTH = 254
PHONE_MAX_LENGTH = 40  # raw input, before parsing; E.164 itself is at most 16 characters

# Number types that can receive an SMS. Some countries (the US among them) cannot tell a
# mobile from a landline by the number, so FIXED_LINE_OR_MOBILE is given the benefit of doubt.
_SMS_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}

MESSAGES = {
    "phone_invalid": _("Det ser inte ut som ett telefonnummer. Skriv till exempel 070-123 45 67."),
    "phone_not_mobile": _(
        "Det numret är inte ett mobilnummer och kan inte ta emot sms. Ange ett mobilnummer eller en e-postadress."
    ),
    "phone_country_not_allowed": _(
        "Vi kan inte skicka sms till mobilnummer i det landet. Ange ett annat mobilnummer, eller en e-postadress och inget sms."
    ),
    "email_invalid": _("Det ser inte ut som en e-postadress."),
    "name_blank": _("Skriv ditt namn."),
    "name_too_long": _("Namnet får vara högst %(max)s tecken."),
    "name_control": _("Namnet innehåller tecken som inte går att använda."),
    "too_long": _("Texten får vara högst %(max)s tecken."),
    "text_control": _(
        "Texten innehåller tecken som inte går att använda (styrtecken, radbrytningar där de inte hör hemma eller tecken som vänder skrivriktningen)."
    ),
}


def _refuse(pointer: str, code: str, **params):
    detail = MESSAGES[code] % params if params else MESSAGES[code]
    raise InvalidInput(errors=[{"pointer": pointer, "code": code, "detail": str(detail)}])


def phone_normalize(raw, *, for_sms: bool = True, sms_consent: bool = False, pointer: str = "/phone") -> str:
    """A phone number in E.164 ("+46701234567"). Swedish numbers may be written nationally
    ("070-123 45 67"); other countries need their prefix. With for_sms, a number that cannot
    receive an SMS (a landline) is refused. With sms_consent (the booker asked for SMS), so is
    a number of a country outside SMS_ALLOWED_COUNTRIES; without it such a number stays a
    contact."""
    text = str(raw or "").strip()
    if not text:
        return ""
    if len(text) > PHONE_MAX_LENGTH:
        _refuse(pointer, "phone_invalid")
    try:
        number = phonenumbers.parse(text, settings.DEFAULT_COUNTRY_CODE)
    except phonenumbers.NumberParseException:
        _refuse(pointer, "phone_invalid")
    if not phonenumbers.is_valid_number(number):
        _refuse(pointer, "phone_invalid")
    if for_sms and phonenumbers.number_type(number) not in _SMS_TYPES:
        _refuse(pointer, "phone_not_mobile")
    if sms_consent and not _sms_country_allowed(number):
        _refuse(pointer, "phone_country_not_allowed")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_sms_country_allowed(e164: str) -> bool:
    """May an SMS go to this stored number (SMS_ALLOWED_COUNTRIES)? The dispatcher asks before
    every SMS, for rows written before the list was what it is."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return False
    return _sms_country_allowed(number)


def _sms_country_allowed(number) -> bool:
    allowed = settings.SMS_ALLOWED_COUNTRIES
    return "*" in allowed or phonenumbers.region_code_for_number(number) in allowed


def email_clean(raw, *, pointer: str = "/email") -> str:
    """A trimmed e-mail address ("" when none was given); the domain in lower case."""
    text = str(raw or "").strip()
    if not text:
        return ""
    if len(text) > EMAIL_MAX_LENGTH or _has_control(text):
        _refuse(pointer, "email_invalid")
    try:
        validate_email(text)
    except ValidationError:
        _refuse(pointer, "email_invalid")
    local, _at, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


def name_clean(raw, *, pointer: str = "/name", max_length: int = NAME_MAX_LENGTH) -> str:
    """A person's name: trimmed, inner runs of spaces made one, any script and emoji welcome,
    control characters (line breaks, NUL, escapes) refused, at most max_length characters."""
    text = unicodedata.normalize("NFC", str(raw or ""))
    if _has_control(text):
        _refuse(pointer, "name_control")
    text = " ".join(text.split())
    if not text:
        _refuse(pointer, "name_blank")
    if len(text) > max_length:
        _refuse(pointer, "name_too_long", max=max_length)
    return text


def text_clean(raw, *, pointer: str, max_length: int, multiline: bool = False) -> str:
    """Every free text of the platform (a title, a description, a school, a note, a reason),
    at the service boundary: trimmed, bounded, control characters and direction overrides
    refused, line breaks and tabs allowed only where multiline (a CR/LF in a title breaks the
    calendar feeds that carry it; an override spoofs names in staff lists, CSV and SMS)."""
    text = unicodedata.normalize("NFC", str(raw or "")).strip()
    allowed = "\n\r\t" if multiline else ""
    if _has_control(text, allowed=allowed):
        _refuse(pointer, "text_control")
    if len(text) > max_length:
        _refuse(pointer, "too_long", max=max_length)
    return text


# The bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): they
# reorder what a reader sees ("Anna" shown as something else in a staff list or a CSV).
# Right-to-left scripts themselves need none of them.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _has_control(text: str, *, allowed: str = "") -> bool:
    # Cc: C0/C1 controls (NUL, ESC, line breaks); Cs: lone surrogates. Other Cf (format
    # characters) stay allowed: emoji sequences and many scripts need the zero-width joiner.
    return any(
        (unicodedata.category(ch) in ("Cc", "Cs") and ch not in allowed) or ch in BIDI_CONTROLS for ch in text
    )
