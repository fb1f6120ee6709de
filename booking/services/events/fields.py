"""The fields of an event that event_create and event_update take, and its relations set."""

from booking.models import Event, Room

# What event_create and event_update take besides the capacity, room and status.
SCALAR_FIELDS = (
    "attendance_mode",
    "online_url",  # never public: booking.selectors.online
    "kind",
    "title",
    "description",
    "content_language",
    "title_sv",
    "description_sv",
    "title_en",
    "description_en",
    "sms_title",
    "max_seats_per_booking",
    "booking_opens",
    "booking_closes_before",
    "waitlist_mode",
    "booking_mode",
    "visibility",
    "easy_to_read",
)
M2M_FIELDS = ("audiences", "languages", "priority_groups", "accessibility_features", "creators")


def room_feature_ids(room: Room | None) -> set[int]:
    return set(room.accessibility_features.values_list("pk", flat=True)) if room is not None else set()


def relations_set(*, event: Event, relations: dict) -> None:
    for name in M2M_FIELDS:
        if name in relations and relations[name] is not None:
            getattr(event, name).set(relations[name])
