"""Where an event is, as each reader may be told: the one decider for the public event page,
its JSON-LD, the calendar files' LOCATION and the map link.

The public is told a library's street address only once the library's own staff have verified
it (booking.services.libraries). Until then it sees what is known for sure — the library's
name and its town — and how to ask: the library's e-mail and phone. "adress saknas" and
"(adressen är inte kontrollerad)" are words for staff only (`for_staff`).
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from booking.models import Library

__all__ = ["Place", "location_text", "place_of", "staff_words"]


@dataclass(frozen=True)
class Place:
    name: str
    room: str
    locality: str  # the town: the address's city when shown, else the municipality's name
    street_address: str  # "" unless this reader may be told it
    postal_code: str
    address_shown: bool
    address_verified: bool
    email: str
    phone: str
    website: str
    opening_hours_url: str

    @property
    def address_line(self) -> str:
        """ "Kungsgatan 4, 632 20 Eskilstuna", or "" when the address is not for this reader."""
        if not self.address_shown:
            return ""
        place = " ".join(part for part in (self.postal_code, self.locality) if part)
        return ", ".join(part for part in (self.street_address, place) if part)

    @property
    def has_contact(self) -> bool:
        return bool(self.email or self.phone)


def place_of(library: Library, *, room_name: str | None = None, for_staff: bool = False) -> Place:
    """What this reader may be told of where `library` is. Staff see the address as it is
    stored, verified or not (and say so with staff_words)."""
    known = bool(library.street_address)
    shown = known and (library.address_verified or for_staff)
    municipality = library.municipality.name if library.municipality_id else ""
    return Place(
        name=library.name,
        room=room_name or "",
        locality=(library.city if shown else "") or municipality,
        street_address=library.street_address if shown else "",
        postal_code=library.postal_code if shown else "",
        address_shown=shown,
        address_verified=bool(known and library.address_verified),
        email=library.email,
        phone=library.phone,
        website=library.website,
        opening_hours_url=library.opening_hours_url,
    )


def staff_words() -> dict[str, str]:
    """Staff's words about an address, in the active language."""
    return {"no_address": _("adress saknas"), "unverified": _("adressen är inte kontrollerad")}


def location_text(
    library: Library,
    *,
    room_name: str | None = None,
    for_staff: bool = False,
    words: dict[str, str] | None = None,
) -> str:
    """One line for a calendar's LOCATION or a map search: library, room, and the address when
    this reader may be told it, else the town. Staff also read "adress saknas" or that the
    address is not verified (`words`, from staff_words in the feed's language)."""
    place = place_of(library, room_name=room_name, for_staff=for_staff)
    parts = [place.name]
    if place.room:
        parts.append(place.room)
    if place.address_shown:
        parts.append(place.address_line)
        if for_staff and not place.address_verified:
            parts[-1] += f" ({(words or staff_words())['unverified']})"
    else:
        if place.locality and place.locality != place.name:
            parts.append(place.locality)
        if for_staff:
            parts.append((words or staff_words())["no_address"])
    return ", ".join(parts)
