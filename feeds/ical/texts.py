"""What a feed says: the translated labels, and the texts of an event's VEVENTs (summary,
description, location, status, categories) for the feed's language and audience."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import translation
from django.utils.translation import gettext as _

from booking.models import Booking, VisitDateOption, VisitRequest
from booking.models import Event as EventRow
from booking.selectors import places
from booking.selectors.online import online_url_for
from booking.selectors.texts import event_description, event_title
from feeds.ical.writer import VeventTexts

# The prefix must reach the user even when a catalogue lags behind: Google hides
# STATUS:CANCELLED, so the title is the only place a subscriber sees it. Kept as data.
CANCELLED_PREFIX = {"sv": "INSTÄLLT: ", "en": "CANCELLED: "}
# A booking its booker cancelled, in its own calendar: the event still takes place.
BOOKER_CANCELLED_PREFIX = {"sv": "AVBOKAD: ", "en": "CANCELLED BY YOU: "}

BOOKING_GONE = (Booking.Status.CANCELLED, Booking.Status.EXPIRED)


@dataclass
class FeedOptions:
    """How to render: language, audience of the feed (public, creator, staff), alarms."""

    lang: str = "sv"
    base_url: str = ""
    audience: str = "public"  # "public", "creator", "staff" or "booking"
    alarm_before: timedelta | None = None
    booking: Booking | None = None


def labels_for(lang: str) -> dict[str, str]:
    """Translated words, looked up once per render rather than once per session."""
    with translation.override(lang):
        return {
            "no_address": _("adress saknas"),
            "unverified": _("adressen är inte kontrollerad"),
            "audiences": _("Målgrupp"),
            "languages": _("Språk"),
            "accessibility": _("Tillgänglighet"),
            "easy_to_read": _("Lättläst"),
            "more": _("Mer information och bokning"),
            "contact": _("Kontaktperson"),
            "room": _("Lokal"),
            "status": _("Status"),
            "visibility": _("Synlighet"),
            "option": _("Datumförslag"),
            "reminder": _("Påminnelse"),
            "online": _("Länk till mötet"),
            "kinds": {value: str(label) for value, label in EventRow.Kind.choices},
            "statuses": {value: str(label) for value, label in EventRow.Status.choices},
            "visibilities": {value: str(label) for value, label in EventRow.Visibility.choices},
            "formats": {value: str(label) for value, label in VisitRequest.Format.choices},
        }


def _code_names(event: EventRow, name: str, lang: str) -> list[str]:
    """Names of an event's codes (audiences, languages, accessibility_features): from the
    rows selectors.load_sessions attached, else from the database."""
    loaded = getattr(event, "feed_codes", None)
    if loaded is not None:
        rows = loaded.get(name, ())
    else:
        rows = [(c.name_sv, c.name_en) for c in getattr(event, name).all()]
    return [(name_en if lang == "en" and name_en else name_sv) for name_sv, name_en in rows]


def location_text(library, labels: dict, room_name: str | None = None, *, for_staff: bool = False) -> str:
    """Library name, room, and the address where this reader may be told it (one decider:
    booking.selectors.places)."""
    return places.location_text(library, room_name=room_name, for_staff=for_staff, words=labels)


def _contact_lines(library, labels: dict) -> list[str]:
    contact = ", ".join(p for p in (library.contact_person, library.phone, library.email) if p)
    return [f"{labels['contact']}: {contact}"] if contact else []


def event_texts(
    event: EventRow, *, options: FeedOptions, labels: dict, room_name: str | None, cancelled: bool
) -> VeventTexts:
    """What every session of `event` says (in the feed's language and for its audience), with the
    feed's `labels` (labels_for)."""
    lang = options.lang
    library = event.library
    status = "CONFIRMED"
    prefix = CANCELLED_PREFIX
    if cancelled:
        status = "CANCELLED"
    elif event.status == EventRow.Status.DRAFT:
        status = "TENTATIVE"
    elif options.booking is not None:
        if options.booking.status in BOOKING_GONE:
            status, cancelled = "CANCELLED", True
            if options.booking.cancelled_by == Booking.CancelledBy.BOOKER:
                prefix = BOOKER_CANCELLED_PREFIX
        elif options.booking.status != Booking.Status.CONFIRMED:
            status = "TENTATIVE"
    summary = event_title(event, lang)
    if cancelled:
        summary = prefix.get(lang, prefix["sv"]) + summary
    url = options.base_url + event.get_absolute_url()
    audiences = _code_names(event, "audiences", lang)

    lines = []
    text = event_description(event, lang).strip()
    if text:
        lines += [text, ""]
    if audiences:
        lines.append(f"{labels['audiences']}: {', '.join(audiences)}")
    languages = _code_names(event, "languages", lang)
    if languages:
        lines.append(f"{labels['languages']}: {', '.join(languages)}")
    if event.easy_to_read:
        lines.append(labels["easy_to_read"])
    features = _code_names(event, "accessibility_features", lang)
    if features:
        lines.append(f"{labels['accessibility']}: {', '.join(features)}")
    if options.audience in ("creator", "staff"):
        lines += _contact_lines(library, labels)
    if options.audience == "staff":
        lines.append(
            f"{labels['status']}: {labels['statuses'][event.status]}, "
            f"{labels['visibility']}: {labels['visibilities'][event.visibility]}"
        )
    online = online_url_for(options.booking) if options.booking is not None and not cancelled else ""
    if online:  # the booker's own calendar only (booking.selectors.online)
        lines.append(f"{labels['online']}: {online}")
    lines.append(f"{labels['more']}: {url}")

    geo = None
    if library.latitude is not None and library.longitude is not None:
        geo = (float(library.latitude), float(library.longitude))
    return VeventTexts(
        summary=summary,
        description="\n".join(lines),
        location=location_text(library, labels, room_name, for_staff=options.audience == "staff"),
        url=url,
        status=status,
        categories=(labels["kinds"].get(event.kind, event.kind), *audiences),
        geo=geo,
        private=event.visibility == EventRow.Visibility.PRIVATE,
        alarm_before=options.alarm_before if not cancelled else None,
    )


def date_option_texts(option: VisitDateOption, *, labels: dict, for_staff: bool = False) -> VeventTexts:
    """What a visit request's proposed date says: TENTATIVE, and free time until accepted."""
    request = option.request
    title = request.title or labels["formats"].get(request.format, request.format)
    lines = [f"{labels['option']}: {title}"]
    lines += _contact_lines(request.library, labels)
    room_name = request.room.name if request.room_id is not None else None
    return VeventTexts(
        summary=f"{labels['option']}: {title}",
        description="\n".join(lines),
        location=location_text(request.library, labels, room_name, for_staff=for_staff),
        status="TENTATIVE",
        transparent=True,
    )
