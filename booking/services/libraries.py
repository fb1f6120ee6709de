"""A library's own details: address, contact, opening hours and accessibility in words.

Its own staff and the region's organisers may change them (booking.access.can_manage_library);
staff of another library may not. The address is verified by the library's own staff: a save
of the address by them, or their "confirm" of an address that came from the region's data,
marks it verified with who and when. An organiser who changes the address leaves it for the
library to confirm. Only a verified address is shown to the public as fact
(booking.selectors.places). Every change is audited.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.access import can_manage_library, staff_library_ids
from booking.errors import InvalidInput, PermissionDenied
from booking.models import Library
from booking.services.audit import audit_record
from booking.validation import email_clean, phone_normalize, text_clean

__all__ = [
    "ADDRESS_FIELDS",
    "library_address_confirm",
    "library_update",
    "url_clean",
    "may_verify_address",
]

ADDRESS_FIELDS = ("street_address", "postal_code", "city")
URL_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 4000
_POSTAL_CODE = re.compile(r"^(\d{3}) ?(\d{2})$")


def _invalid(pointer: str, code: str, detail: str) -> InvalidInput:
    return InvalidInput(errors=[{"pointer": pointer, "code": code, "detail": detail}])


def may_verify_address(user, library: Library) -> bool:
    """Only the library's own staff know its address: their save or confirm verifies it."""
    return library.pk in staff_library_ids(user)


def _postal_code_clean(raw) -> str:
    text = text_clean(raw, pointer="/address/postal_code", max_length=10)
    if not text:
        return ""
    match = _POSTAL_CODE.match(text)
    if not match:
        raise _invalid(
            "/address/postal_code",
            "postal_code_invalid",
            _("Skriv postnumret med fem siffror, till exempel 632 20."),
        )
    return f"{match.group(1)} {match.group(2)}"


def url_clean(raw, *, pointer: str) -> str:
    text = text_clean(raw, pointer=pointer, max_length=URL_MAX_LENGTH)
    if not text:
        return ""
    if "://" not in text:
        text = "https://" + text
    try:
        URLValidator(schemes=["http", "https"])(text)
    except ValidationError:
        raise _invalid(
            pointer,
            "url_invalid",
            _("Det ser inte ut som en webbadress. Skriv till exempel https://bibliotek.se/oppettider."),
        ) from None
    if len(text) > URL_MAX_LENGTH:
        raise _invalid(pointer, "too_long", _("Högst %(max)s tecken.") % {"max": URL_MAX_LENGTH})
    return text


def _phone_clean(raw) -> str:
    """Kept as written (staff write "016-710 10 00" for people to read), once it is a number."""
    text = " ".join(str(raw or "").split())
    if not text:
        return ""
    phone_normalize(text, for_sms=False, pointer="/phone")
    if len(text) > 30:
        raise _invalid("/phone", "too_long", _("Högst %(max)s tecken.") % {"max": 30})
    return text


def _address_clean(address: dict) -> dict:
    if not isinstance(address, dict):
        raise _invalid("/address", "invalid", _("Adressen ska ha gatuadress, postnummer och ort."))
    return {
        "street_address": text_clean(
            address.get("street_address", ""), pointer="/address/street_address", max_length=200
        ),
        "postal_code": _postal_code_clean(address.get("postal_code", "")),
        "city": text_clean(address.get("city", ""), pointer="/address/city", max_length=80),
    }


def _collect(errors: list, check, *args, **kwargs):
    """Run one cleaner; keep its pointer errors so every field is told at once."""
    try:
        return check(*args, **kwargs)
    except InvalidInput as error:
        errors.extend(error.errors)
        return None


def _set_verified(library: Library, actor, now) -> None:
    library.address_verified = True
    library.address_verified_at = now
    library.address_verified_by = actor


def _set_unverified(library: Library) -> None:
    library.address_verified = False
    library.address_verified_at = None
    library.address_verified_by = None


@transaction.atomic
def library_update(
    *,
    library: Library,
    actor,
    address: dict | None = None,
    email: str | None = None,
    phone: str | None = None,
    opening_hours_url: str | None = None,
    accessibility_description: str | None = None,
    now=None,
) -> Library:
    """Change what is given (None: left as it is). `address` is {street_address, postal_code,
    city}, its missing keys blank. A save of the address by the library's own staff verifies
    it; a changed address saved by anyone else is no longer verified."""
    if not can_manage_library(actor, library.pk):
        raise PermissionDenied()
    now = now or timezone.now()
    library = Library.objects.select_for_update().get(pk=library.pk)
    errors: list[dict] = []
    values: dict = {}
    if address is not None:
        cleaned = _collect(errors, _address_clean, address)
        if cleaned is not None:
            values.update(cleaned)
    if email is not None:
        values["email"] = _collect(errors, email_clean, email, pointer="/email")
    if phone is not None:
        values["phone"] = _collect(errors, _phone_clean, phone)
    if opening_hours_url is not None:
        values["opening_hours_url"] = _collect(
            errors, url_clean, opening_hours_url, pointer="/opening_hours_url"
        )
    if accessibility_description is not None:
        values["accessibility_description"] = _collect(
            errors,
            text_clean,
            accessibility_description,
            pointer="/accessibility_description",
            max_length=DESCRIPTION_MAX_LENGTH,
            multiline=True,
        )
    if errors:
        raise InvalidInput(errors=errors)

    before = {name: getattr(library, name) for name in values}
    changed = [name for name, value in values.items() if before[name] != value]
    for name, value in values.items():
        setattr(library, name, value)
    was_verified = library.address_verified
    if address is not None:
        address_changed = any(name in changed for name in ADDRESS_FIELDS)
        if not library.street_address:
            _set_unverified(library)  # nothing to verify: the pages say what is known
        elif may_verify_address(actor, library):
            _set_verified(library, actor, now)
        elif address_changed:
            _set_unverified(library)  # the library confirms what the region typed
    library.save()
    audit_record(
        actor=actor,
        action="library_updated",
        object_type="library",
        object_id=library.pk,
        data={
            "changed": changed,
            "before": {name: before[name] for name in changed},
            "after": {name: values[name] for name in changed},
            "address_verified": [was_verified, library.address_verified],
        },
    )
    return library


@transaction.atomic
def library_address_confirm(*, library: Library, actor, now=None) -> Library:
    """The library's own staff say the address they see is right."""
    library = Library.objects.select_for_update().get(pk=library.pk)
    if not may_verify_address(actor, library):
        raise PermissionDenied(_("Bara bibliotekets egen personal kan bekräfta adressen."))
    if not library.street_address:
        raise _invalid(
            "/address/street_address",
            "address_missing",
            _("Det finns ingen adress att bekräfta. Skriv in den och spara."),
        )
    _set_verified(library, actor, now or timezone.now())
    library.save()
    audit_record(
        actor=actor,
        action="library_address_confirmed",
        object_type="library",
        object_id=library.pk,
        data={name: getattr(library, name) for name in ADDRESS_FIELDS},
    )
    return library
