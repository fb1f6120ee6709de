"""The free texts of the places and people that staff write (regions, libraries, rooms, creator
profiles and their unavailable periods), cleaned by the one text cleaner, booking.validation's
text_clean: control characters and direction overrides refused, line breaks only where a text
has several lines. Event, booking and visit-request texts are cleaned by their own services.
"""

from django.db import models

from booking.errors import InvalidInput
from booking.models import Creator, CreatorUnavailability, Library, Region, Room
from booking.validation import text_clean

TEXT_MAX_LENGTH = 5000  # a TextField without a max_length of its own

# model -> the names of its free texts (plain CharField/TextField; e-mail and web addresses
# have validators of their own).
FREE_TEXTS = {
    Region: ("name", "unit_name", "double_priority_note"),
    Library: ("name", "street_address", "postal_code", "city", "phone", "contact_person"),
    Room: ("name", "accessibility_description"),
    Creator: ("name", "bio", "fee_note", "phone"),
    CreatorUnavailability: ("note",),
}


def free_text_names(model) -> tuple[str, ...]:
    return FREE_TEXTS.get(model, ())


def free_texts_clean(model, fields: dict, *, prefix: str = "") -> dict:
    """The free texts of MODEL found in FIELDS, cleaned (a new dict; other keys as given).
    Raises InvalidInput with every problem at its pointer (PREFIX + "/name")."""
    cleaned = dict(fields)
    errors: list[dict] = []
    for name in free_text_names(model):
        if name not in fields or fields[name] is None:
            continue
        field = model._meta.get_field(name)
        try:
            cleaned[name] = text_clean(
                fields[name],
                pointer=f"{prefix}/{name}",
                max_length=field.max_length or TEXT_MAX_LENGTH,
                multiline=isinstance(field, models.TextField),
            )
        except InvalidInput as exc:
            errors.extend(exc.errors)
    if errors:
        raise InvalidInput(errors=errors)
    return cleaned
