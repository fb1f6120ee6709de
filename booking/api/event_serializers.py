"""Input and output shapes for libraries, events, sessions (API.md "Events and sessions").

Inputs only parse and check types and codes (codes against the reference tables with
SlugRelatedField); the rules (room capacity, free rooms, recurrence bounds) live in
booking.services.events. Outputs carry times with their offset (Europe/Stockholm),
municipalities by SCB code, and each event's absolute public `url`.
"""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from booking.access import can_manage_event
from booking.api.fields import CodeField
from booking.models import (
    Audience,
    Creator,
    Event,
    Language,
    Library,
    PriorityGroup,
    Room,
    Session,
    VenueFeature,
)
from booking.services.events import sms_title_check
from booking.services.recurrence import MAX_SESSIONS


def event_url(event: Event) -> str:
    return settings.PUBLIC_BASE_URL + event.get_absolute_url()


# --- Output ---------------------------------------------------------------------------------


class MunicipalityOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class RoomOut(serializers.ModelSerializer):
    accessibility_features = CodeField(many=True, read_only=True, slug_field="code")

    class Meta:
        model = Room
        fields = ["id", "name", "capacity", "accessibility_features"]


class AddressOut(serializers.Serializer):
    street_address = serializers.CharField()
    postal_code = serializers.CharField(allow_null=True)
    city = serializers.CharField(allow_null=True)
    verified = serializers.BooleanField(help_text="False: taken from public pages, not yet checked.")


class LibraryOut(serializers.ModelSerializer):
    municipality = MunicipalityOut()
    address = serializers.SerializerMethodField(
        help_text="null when the street address is not known (never invented)."
    )
    address_known = serializers.BooleanField()
    rooms = RoomOut(many=True)

    class Meta:
        model = Library
        fields = [
            "id",
            "name",
            "municipality",
            "is_main_library",
            "is_mobile",
            "address_known",
            "address",
            "email",
            "phone",
            "website",
            "opening_hours_url",
            "accessibility_description",
            "rooms",
        ]

    @extend_schema_field(AddressOut(allow_null=True))
    def get_address(self, library: Library):
        if not library.address_known:
            return None
        return {
            "street_address": library.street_address,
            "postal_code": library.postal_code or None,
            "city": library.city or None,
            "verified": library.address_verified,
        }


class LibraryBriefOut(serializers.ModelSerializer):
    municipality = MunicipalityOut()

    class Meta:
        model = Library
        fields = ["id", "name", "municipality"]


class RoomBriefOut(serializers.ModelSerializer):
    class Meta:
        model = Room
        fields = ["id", "name", "capacity"]


class SessionOut(serializers.ModelSerializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    room = RoomBriefOut(allow_null=True)
    seats_left = serializers.IntegerField()
    waitlist_length = serializers.SerializerMethodField()
    event = serializers.IntegerField(source="event_id")

    class Meta:
        model = Session
        fields = [
            "id",
            "event",
            "start",
            "end",
            "status",
            "room",
            "capacity",
            "seats_taken",
            "seats_left",
            "waitlist_length",
            "sequence",
            "uid",
            "cancel_reason",
        ]

    @extend_schema_field(OpenApiTypes.INT)
    def get_waitlist_length(self, session: Session) -> int:
        value = getattr(session, "waitlist_length", None)
        if value is None:  # not annotated (a session loaded elsewhere)
            from booking.models import Booking

            value = Booking.objects.filter(session=session, status=Booking.Status.WAITLISTED).count()
        return value


class RecurrenceOut(serializers.Serializer):
    rrule = serializers.CharField()
    dtstart = serializers.CharField(help_text="Local wall-clock time (Europe/Stockholm), no offset.")
    duration = serializers.DurationField(format="iso-8601")
    exdates = serializers.ListField(child=serializers.CharField())


class CreatorBriefOut(serializers.ModelSerializer):
    class Meta:
        model = Creator
        fields = ["id", "name"]


class EventOut(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The absolute address of the public page.")
    library = LibraryBriefOut()
    room = RoomBriefOut(allow_null=True)
    booking_closes_before = serializers.DurationField(format="iso-8601")
    audiences = CodeField(many=True, read_only=True, slug_field="code")
    languages = CodeField(many=True, read_only=True, slug_field="tag")
    priority_groups = CodeField(many=True, read_only=True, slug_field="code")
    accessibility_features = CodeField(many=True, read_only=True, slug_field="code")
    creators = CreatorBriefOut(many=True)
    recurrence = serializers.SerializerMethodField()
    sessions = SessionOut(many=True)

    class Meta:
        model = Event
        fields = [
            "id",
            "url",
            "kind",
            "title",
            "description",
            "content_language",
            "title_sv",
            "description_sv",
            "title_en",
            "description_en",
            "sms_title",
            "library",
            "room",
            "creators",
            "capacity",
            "max_seats_per_booking",
            "booking_opens",
            "booking_closes_before",
            "waitlist_mode",
            "booking_mode",
            "visibility",
            "status",
            "cancel_reason",
            "audiences",
            "languages",
            "priority_groups",
            "accessibility_features",
            "easy_to_read",
            "attendance_mode",
            "recurrence",
            "sessions",
        ]

    def get_url(self, event: Event) -> str:
        return event_url(event)

    def to_representation(self, event: Event):
        data = super().to_representation(event)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        # The meeting link goes to the event's staff only (and to confirmed bookers on api_url).
        if event.online_url and user is not None and user.is_authenticated and can_manage_event(user, event):
            data["online_url"] = event.online_url
        return data

    @extend_schema_field(RecurrenceOut(allow_null=True))
    def get_recurrence(self, event: Event):
        if not event.recurrence_rule:
            return None
        dtstart = event.recurrence_dtstart
        return RecurrenceOut(
            {
                "rrule": event.recurrence_rule,
                "dtstart": timezone.localtime(dtstart).replace(tzinfo=None).isoformat() if dtstart else "",
                "duration": event.recurrence_duration,
                "exdates": event.recurrence_exdates or [],
            }
        ).data


# --- Input ----------------------------------------------------------------------------------


def _codes(model, slug_field: str):
    return CodeField(many=True, required=False, slug_field=slug_field, queryset=model.objects.all())


class LocalDateTimeField(serializers.DateTimeField):
    """A local wall-clock time (Europe/Stockholm) without offset, as the recurrence needs."""

    def to_internal_value(self, value):
        if isinstance(value, str) and (value.endswith("Z") or "+" in value[10:] or "-" in value[10:]):
            self.fail("offset")
        parsed = super().to_internal_value(value)
        return timezone.make_naive(parsed) if timezone.is_aware(parsed) else parsed

    default_error_messages = {
        "offset": _("Ange lokal tid utan tidszon, till exempel 2025-03-20T18:00:00."),
    }

    def enforce_timezone(self, value):
        return value  # stay naive: the service localises each occurrence


class ISODurationField(serializers.DurationField):
    def __init__(self, **kwargs):
        kwargs.setdefault("format", "iso-8601")
        super().__init__(**kwargs)


class SessionIn(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class RecurrenceIn(serializers.Serializer):
    rrule = serializers.CharField(max_length=300, help_text="RFC 5545 RRULE, bounded by COUNT or UNTIL.")
    dtstart = LocalDateTimeField()
    duration = ISODurationField()
    exdates = serializers.ListField(child=LocalDateTimeField(), required=False, max_length=MAX_SESSIONS)


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, instead of ignoring them silently."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: [_("Fältet finns inte eller kan inte ändras här.")] for name in unknown},
                    code="unknown_field",
                )
        return super().to_internal_value(data)


def _sms_title(value: str) -> str:
    reason = sms_title_check(value)
    if reason:
        raise serializers.ValidationError(reason, code="invalid_sms_title")
    return value


class EventFieldsIn(StrictSerializer):
    kind = serializers.ChoiceField(choices=Event.Kind.choices)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    content_language = CodeField(slug_field="tag", queryset=Language.objects.all(), required=False)
    title_sv = serializers.CharField(required=False, allow_blank=True, max_length=200)
    description_sv = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    title_en = serializers.CharField(required=False, allow_blank=True, max_length=200)
    description_en = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    sms_title = serializers.CharField(
        required=False, allow_blank=True, max_length=40, validators=[_sms_title], trim_whitespace=True
    )
    room = serializers.PrimaryKeyRelatedField(queryset=Room.objects.all(), required=False, allow_null=True)
    capacity = serializers.IntegerField(min_value=1, max_value=100000)
    max_seats_per_booking = serializers.IntegerField(min_value=1, max_value=1000, required=False)
    booking_opens = serializers.DateTimeField(required=False, allow_null=True)
    booking_closes_before = ISODurationField(required=False)
    waitlist_mode = serializers.ChoiceField(choices=Event.WaitlistMode.choices, required=False)
    booking_mode = serializers.ChoiceField(choices=Event.BookingMode.choices, required=False)
    visibility = serializers.ChoiceField(choices=Event.Visibility.choices, required=False)
    audiences = _codes(Audience, "code")
    languages = _codes(Language, "tag")
    priority_groups = _codes(PriorityGroup, "code")
    accessibility_features = _codes(VenueFeature, "code")
    creators = serializers.PrimaryKeyRelatedField(many=True, queryset=Creator.objects.all(), required=False)
    easy_to_read = serializers.BooleanField(required=False)
    attendance_mode = serializers.ChoiceField(choices=Event.AttendanceMode.choices, required=False)
    online_url = serializers.URLField(required=False, allow_blank=True, max_length=500)

    def validate_content_language(self, value):
        return value.tag

    def validate_booking_closes_before(self, value):
        if value.total_seconds() < 0:
            raise serializers.ValidationError(_("Tiden kan inte vara negativ."))
        return value


class EventCreateIn(EventFieldsIn):
    library = serializers.PrimaryKeyRelatedField(queryset=Library.objects.all())
    status = serializers.ChoiceField(
        choices=[
            (Event.Status.DRAFT, Event.Status.DRAFT.label),
            (Event.Status.PUBLISHED, Event.Status.PUBLISHED.label),
        ],
        required=False,
    )
    sessions = SessionIn(many=True, required=False, max_length=MAX_SESSIONS)
    recurrence = RecurrenceIn(required=False)

    def validate(self, data):
        if bool(data.get("sessions")) == bool(data.get("recurrence")):
            raise serializers.ValidationError(
                {
                    "sessions": [
                        _("Ange antingen tillfällen (sessions) eller en upprepningsregel (recurrence).")
                    ]
                },
                code="sessions_or_recurrence",
            )
        return data


class EventUpdateIn(EventFieldsIn):
    recurrence = RecurrenceIn(
        required=False, help_text="A new rule: sessions to come are kept, cancelled or added to match it."
    )

    status = serializers.ChoiceField(
        choices=[
            (Event.Status.DRAFT, Event.Status.DRAFT.label),
            (Event.Status.PUBLISHED, Event.Status.PUBLISHED.label),
            (Event.Status.COMPLETED, Event.Status.COMPLETED.label),
        ],
        required=False,
    )


class CancelIn(StrictSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class SessionMoveIn(StrictSerializer):
    start = serializers.DateTimeField(required=False)
    end = serializers.DateTimeField(required=False)
    room = serializers.PrimaryKeyRelatedField(queryset=Room.objects.all(), required=False, allow_null=True)
    capacity = serializers.IntegerField(min_value=1, max_value=100000, required=False)
