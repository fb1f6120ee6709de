"""The demo's places and people: rooms for every library, the fictional creators (booking.services.demo)."""

from booking.models import (
    Audience,
    Creator,
    Genre,
    Language,
    Library,
    Room,
    VenueFeature,
)
from booking.services.demo_specs import BRANCH_ROOMS, MAIN_ROOMS, MOBILE_ROOMS, CreatorSpec, DemoResult, _vary


def rooms_ensure(result: DemoResult) -> None:
    """Rooms for each library that has none yet; rooms an organiser renamed or removed stay so."""
    features = {f.code: f for f in VenueFeature.objects.all()}
    for library in Library.objects.filter(rooms__isnull=True):
        specs = MOBILE_ROOMS if library.is_mobile else MAIN_ROOMS if library.is_main_library else BRANCH_ROOMS
        for name, capacity, codes in specs:
            room = Room.objects.create(
                library=library,
                name=name,
                capacity=capacity if library.is_mobile else _vary(library.name, capacity),
            )
            room.accessibility_features.set([features[c] for c in codes if c in features])
            result.rooms_created += 1


def creators_ensure(result: DemoResult, specs: list[CreatorSpec]) -> dict[str, Creator]:
    creators = {}
    for spec in specs:
        creator, created = Creator.objects.get_or_create(
            name=spec.name,
            defaults={
                "roles": spec.roles,
                "bio": spec.bio,
                "bio_language": spec.bio_language,
                "home_municipality_id": spec.home,
                "fee_sek": spec.fee_sek,
                "fee_note": "Enligt Författarförbundets rekommendation; resa tillkommer.",
                "f_tax": True,
            },
        )
        if created:
            creator.languages.set(Language.objects.filter(tag__in=spec.languages))
            creator.genres.set(Genre.objects.filter(code__in=spec.genres))
            creator.audiences.set(Audience.objects.filter(code__in=spec.audiences))
            result.creators_created += 1
        creators[spec.name] = creator
    return creators
