"""Loading a region's reference data (municipalities, libraries, codes, travel times) from its
data file. Idempotent: running it again updates names and adds what is new, never duplicates.
Nothing about a particular region is in code; the file is the configuration."""

import json
from pathlib import Path

from django.conf import settings
from django.db import transaction

from booking.models import (
    AccessibilityNeed,
    Audience,
    Genre,
    Language,
    Library,
    Municipality,
    PriorityGroup,
    Region,
    TravelTime,
    VenueFeature,
)

ACCESSIBILITY_NAMES = {
    # code: (Swedish, English) — the reference file gives codes only.
    "wheelchair_space": ("Plats för rullstol", "Wheelchair space"),
    "step_free_access": ("Entré utan trappsteg", "Step-free access"),
    "accessible_toilet": ("Tillgänglig toalett", "Accessible toilet"),
    "disability_parking": ("Parkering för rörelsehindrade", "Disability parking"),
    "seating_with_armrests": ("Stol med armstöd", "Seating with armrests"),
    "hearing_loop": ("Hörslinga", "Hearing loop"),
    "sign_language_interpreter": ("Teckenspråkstolk", "Sign language interpreter"),
    "speech_to_text_interpreter": ("Skrivtolk", "Speech-to-text interpreter"),
    "deafblind_interpreter": ("Dövblindtolk", "Deafblind interpreter"),
    "captions": ("Textning", "Captions"),
    "audio_description": ("Syntolkning", "Audio description"),
    "large_print": ("Material i stor stil", "Large print"),
    "braille": ("Punktskrift", "Braille"),
    "material_in_advance": ("Material i förväg", "Material in advance"),
    "guide_dog": ("Ledarhund", "Guide dog"),
    "allergy": ("Allergi", "Allergy"),
    "fragrance_free": ("Doftfri miljö", "Fragrance-free"),
    "dietary": ("Specialkost", "Dietary needs"),
    "easy_to_read": ("Lättläst information", "Easy-to-read information"),
    "picture_support": ("Bildstöd", "Picture support"),
    "quiet_room_or_breaks": ("Lugnt rum eller pauser", "Quiet room or breaks"),
    "agenda_in_advance": ("Program i förväg", "Agenda in advance"),
    "support_person": ("Stödperson", "Support person"),
    "step_free_entrance": ("Entré utan trappsteg", "Step-free entrance"),
    "lift": ("Hiss", "Lift"),
    "wheelchair_spaces": ("Rullstolsplatser", "Wheelchair spaces"),
    "quiet_room": ("Lugnt rum", "Quiet room"),
    "guide_dog_welcome": ("Ledarhund välkommen", "Guide dog welcome"),
    "captioning_screen": ("Skärm för textning", "Captioning screen"),
}

LANGUAGE_NAMES = {
    # tag: (Swedish, English) for the common languages the file lists by tag alone.
    "sv": ("svenska", "Swedish"),
    "en": ("engelska", "English"),
    "ar": ("arabiska", "Arabic"),
    "bs": ("bosniska", "Bosnian"),
    "hr": ("kroatiska", "Croatian"),
    "sr": ("serbiska", "Serbian"),
    "kmr": ("kurmanji", "Kurmanji"),
    "ckb": ("sorani", "Sorani"),
    "pl": ("polska", "Polish"),
    "es": ("spanska", "Spanish"),
    "fa": ("persiska", "Persian"),
    "prs": ("dari", "Dari"),
    "de": ("tyska", "German"),
    "so": ("somaliska", "Somali"),
    "aii": ("assyriska", "Assyrian"),
    "tr": ("turkiska", "Turkish"),
    "sq": ("albanska", "Albanian"),
    "th": ("thailändska", "Thai"),
    "ru": ("ryska", "Russian"),
    "ti": ("tigrinja", "Tigrinya"),
    "uk": ("ukrainska", "Ukrainian"),
    "ps": ("pashto", "Pashto"),
    "my": ("burmesiska", "Burmese"),
    "ksw": ("karen", "Karen"),
    "se": ("nordsamiska", "Northern Sami"),
    "sma": ("sydsamiska", "Southern Sami"),
    "smj": ("lulesamiska", "Lule Sami"),
    "sju": ("umesamiska", "Ume Sami"),
    "sje": ("pitesamiska", "Pite Sami"),
    "fi": ("finska", "Finnish"),
    "fit": ("meänkieli", "Meänkieli"),
    "rom": ("romani chib", "Romani"),
    "rmn": ("romani (arli)", "Romani (Arli)"),
    "rmy": ("romani (kalderash, lovari)", "Romani (Kalderash, Lovari)"),
    "rmf": ("romani (kale)", "Romani (Kale)"),
    "rmu": ("resanderomani", "Scandoromani"),
    "yi": ("jiddisch", "Yiddish"),
    "swl": ("svenskt teckenspråk", "Swedish Sign Language"),
}


def read_region_file(path: str | Path | None = None) -> dict:
    with open(path or settings.REGION_DATA_FILE, encoding="utf-8") as handle:
        return json.load(handle)


def _upsert(model, key: str, value, **fields):
    obj, created = model.objects.update_or_create(**{key: value}, defaults=fields)
    return obj


@transaction.atomic
def region_load(*, path: str | Path | None = None, progress=None) -> Region:
    """Create or update the region described by the data file; return it."""
    data = read_region_file(path)
    say = progress or (lambda message: None)
    info = data["region"]
    travel = data.get("travel_minutes", {})
    population = data.get("population_source", {})
    statistics = data.get("statistics", {})
    region = _upsert(
        Region,
        "county_code",
        info["county_code"],
        name=info["name"],
        unit_name=info.get("unit", ""),
        double_priority_note=info.get("double_priority_note", ""),
        default_travel_minutes=travel.get("default_minutes", 60),
        same_municipality_travel_minutes=travel.get("same_municipality_minutes", 20),
        population_date=population.get("date") or None,
        population_source=population.get("source", ""),
        activity_types=statistics.get("activity_types", {}).get("types", []),
        kind_to_activity_type=statistics.get("kind_to_activity_type", {}),
    )
    sensitive = set(data.get("accessibility", {}).get("sensitive_for_statistics", []))
    for order, group in enumerate(info.get("priority_groups", [])):
        _upsert(
            PriorityGroup,
            "code",
            group["code"],
            name_sv=group["sv"],
            name_en=group.get("en", ""),
            law=group.get("law", ""),
            sensitive=group["code"] in sensitive,
            sort_order=order,
        )
    say("priority groups")

    for order, band in enumerate(data.get("audiences", [])):
        _upsert(
            Audience,
            "code",
            band["code"],
            name_sv=band["sv"],
            name_en=band.get("en", ""),
            min_age=band.get("min_age"),
            max_age=band.get("max_age"),
            sort_order=order,
        )
    for order, genre in enumerate(data.get("genres", [])):
        _upsert(
            Genre, "code", genre["code"], name_sv=genre["sv"], name_en=genre.get("en", ""), sort_order=order
        )

    languages = data.get("languages", {})
    order = 0
    for kind, entries in (
        (Language.Kind.OTHER, [{"tag": tag} for tag in languages.get("other_common", [])]),
        (Language.Kind.NATIONAL_MINORITY, languages.get("national_minority", [])),
        (Language.Kind.SIGN, languages.get("sign_language", [])),
    ):
        for entry in entries:
            tag = entry["tag"]
            sv_name, en_name = LANGUAGE_NAMES.get(tag, (entry.get("sv", tag), ""))
            _upsert(
                Language,
                "tag",
                tag,
                name_sv=entry.get("sv", sv_name),
                name_en=en_name,
                kind=kind,
                sort_order=order,
            )
            order += 1
    say("languages")

    access = data.get("accessibility", {})
    for order, code in enumerate(access.get("venue_features", [])):
        sv_name, en_name = ACCESSIBILITY_NAMES.get(code, (code, code))
        _upsert(VenueFeature, "code", code, name_sv=sv_name, name_en=en_name, sort_order=order)
    prepared = set(access.get("needs_prepared_by_staff", {}).get("codes", []))
    met_by = access.get("needs_met_by_venue", {})
    order = 0
    for group, codes in access.get("participant_needs", {}).items():
        for code in codes:
            sv_name, en_name = ACCESSIBILITY_NAMES.get(code, (code, code))
            need = _upsert(
                AccessibilityNeed,
                "code",
                code,
                group=group,
                name_sv=sv_name,
                name_en=en_name,
                prepared_by_staff=code in prepared,
                sort_order=order,
            )
            need.met_by.set(met_by.get(code, []))
            order += 1
    say("accessibility codes")

    for entry in data.get("municipalities", []):
        municipality = _upsert(
            Municipality,
            "code",
            entry["code"],
            region=region,
            name=entry["name"],
            population=entry.get("population"),
        )
        main = entry.get("main_library")
        if main:
            street, _sep, city = entry.get("address", "").partition(",")
            defaults = {"is_main_library": True, "is_mobile": False}
            confirmed = Library.objects.filter(
                municipality=municipality, name=main, address_verified=True
            ).exists()
            if street and not confirmed:  # the library's own staff have the last word
                defaults.update(street_address=street.strip(), city=city.strip() or entry["name"])
            Library.objects.update_or_create(municipality=municipality, name=main, defaults=defaults)
        for branch in entry.get("branches", []):
            Library.objects.update_or_create(
                municipality=municipality, name=branch, defaults={"is_main_library": False}
            )
        if entry.get("mobile_library"):
            Library.objects.update_or_create(
                municipality=municipality, name=f"Bokbussen {entry['name']}", defaults={"is_mobile": True}
            )
    say("municipalities and libraries")

    for from_code, to_code, minutes in travel.get("pairs", []):
        TravelTime.objects.update_or_create(
            from_municipality_id=from_code, to_municipality_id=to_code, defaults={"minutes": minutes}
        )
    say("travel times")
    return region
