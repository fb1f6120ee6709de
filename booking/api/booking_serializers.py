"""Input and output shapes of the Bookings calls (API.md). Types and ranges are checked here;
the rules (contact, consent, windows, seats) live in booking.services.bookings."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from booking.models import Booking
from booking.selectors.needs import booking_needs
from booking.selectors.online import online_url_for

SEATS_MAX = 1000
ID_MAX = 2**63 - 1  # a bigint: larger ids would be a database error, not a 404


class BookingCreateInput(serializers.Serializer):
    session = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=ID_MAX)
    event = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=ID_MAX)
    seats = serializers.IntegerField(min_value=1, max_value=SEATS_MAX)
    companion_seats = serializers.IntegerField(min_value=0, max_value=SEATS_MAX, default=0)
    children = serializers.IntegerField(min_value=0, max_value=SEATS_MAX, default=0)
    name = serializers.CharField(max_length=500, trim_whitespace=False)
    email = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    sms_consent = serializers.BooleanField(default=False)
    language = serializers.ChoiceField(choices=Booking.Language.values, default="sv")
    accessibility_needs = serializers.ListField(
        child=serializers.CharField(max_length=40), max_length=30, required=False, default=list
    )
    accessibility_note = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, default="", trim_whitespace=False
    )
    accessibility_consent = serializers.BooleanField(default=False)
    school = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    grade = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if bool(attrs.get("session")) == bool(attrs.get("event")):
            raise serializers.ValidationError(
                {"session": [_("Ange antingen ett tillfälle (session) eller en serie (event).")]}
            )
        return attrs


class StaffBookingInput(BookingCreateInput):
    """POST /sessions/{id}/bookings/: the session comes from the URL. A reason means "exceed
    the capacity if need be" (API.md); allow_over_capacity is still accepted, and without a
    reason it is refused (400 at /reason)."""

    session = None
    event = None
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    allow_over_capacity = serializers.BooleanField(default=False)

    def validate(self, attrs):
        attrs["allow_over_capacity"] = attrs.get("allow_over_capacity") or bool(attrs.get("reason"))
        return attrs


class BookingChangeInput(serializers.Serializer):
    seats = serializers.IntegerField(min_value=1, max_value=SEATS_MAX, required=False)
    companion_seats = serializers.IntegerField(min_value=0, max_value=SEATS_MAX, required=False)
    children = serializers.IntegerField(min_value=0, max_value=SEATS_MAX, required=False)
    name = serializers.CharField(max_length=500, required=False, trim_whitespace=False)
    email = serializers.CharField(max_length=500, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=100, required=False, allow_blank=True)
    sms_consent = serializers.BooleanField(required=False)
    accessibility_needs = serializers.ListField(
        child=serializers.CharField(max_length=40), max_length=30, required=False
    )
    accessibility_note = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, trim_whitespace=False
    )
    accessibility_consent = serializers.BooleanField(required=False)
    session = serializers.IntegerField(min_value=1, max_value=ID_MAX, required=False)


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class MoveInput(serializers.Serializer):
    """POST /bookings/{id}/move/: a waiting booking to a place in its queue, or to a session."""

    position = serializers.IntegerField(min_value=1, max_value=100_000, required=False)
    session = serializers.IntegerField(min_value=1, max_value=ID_MAX, required=False)
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if ("position" in attrs) == ("session" in attrs):
            raise serializers.ValidationError(
                {"position": [_("Ange antingen en plats i kön (position) eller ett tillfälle (session).")]}
            )
        return attrs


class AttendanceInput(serializers.Serializer):
    session = serializers.IntegerField(min_value=1, max_value=ID_MAX, required=False)
    status = serializers.ChoiceField(choices=["attended", "no_show"])
    attended_seats = serializers.IntegerField(min_value=0, max_value=1000, required=False, allow_null=True)


def booking_created_data(result, links: dict) -> dict:
    booking = result.booking
    return {
        "id": booking.pk,
        "status": booking.status,
        "seats": booking.seats,
        "companion_seats": booking.companion_seats,
        "children": booking.children,
        "session": booking.session_id,
        "event": booking.event_id,
        "waitlist_position": result.waitlist_position,
        "offer_expires_at": serializers.DateTimeField().to_representation(booking.offer_expires_at)
        if booking.offer_expires_at
        else None,
        **links,
    }


class _SessionBrief(serializers.Serializer):
    id = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    status = serializers.CharField()


class NeedOutput(serializers.Serializer):
    """One stated need: met_by_venue is null for needs that are not a matter of the venue."""

    code = serializers.CharField()
    label = serializers.CharField()
    met_by_venue = serializers.BooleanField(allow_null=True)
    status = serializers.ChoiceField(choices=["pending", "contacted", "arranged", "not_possible"])
    message = serializers.CharField()


class BookingOutput(serializers.Serializer):
    """The booker's own view of their booking (GET api_url)."""

    id = serializers.IntegerField()
    status = serializers.CharField()
    seats = serializers.IntegerField()
    companion_seats = serializers.IntegerField()
    children = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    sms_consent = serializers.BooleanField()
    language = serializers.CharField()
    school = serializers.CharField()
    grade = serializers.CharField()
    offer_expires_at = serializers.DateTimeField(allow_null=True)
    event = serializers.SerializerMethodField()
    sessions = serializers.SerializerMethodField()
    needs = serializers.SerializerMethodField()
    accessibility_note = serializers.SerializerMethodField()

    def _held(self, booking) -> dict:
        cache = self.__dict__.setdefault("_needs_held", {})
        if booking.pk not in cache:
            cache[booking.pk] = booking_needs(booking)
        return cache[booking.pk]

    @extend_schema_field(NeedOutput(many=True))
    def get_needs(self, booking) -> list:
        return NeedOutput(self._held(booking)["needs"], many=True).data

    def get_accessibility_note(self, booking) -> str:
        return self._held(booking)["note"]

    def to_representation(self, booking):
        data = super().to_representation(booking)
        link = online_url_for(booking)  # confirmed bookers of an online or mixed event only
        if link:
            data["online_url"] = link
        return data

    def get_event(self, booking) -> dict:
        event = booking.event
        return {
            "id": event.pk,
            "title": event.title,
            "url": settings.PUBLIC_BASE_URL + event.get_absolute_url(),
            "attendance_mode": event.attendance_mode,
        }

    def get_sessions(self, booking) -> list:
        if booking.session_id:
            return [_SessionBrief(booking.session).data]
        return _SessionBrief(booking.event.sessions.order_by("start"), many=True).data


class ParticipantOutput(serializers.Serializer):
    """A row of a session's participant list, for staff of the library and organisers."""

    id = serializers.IntegerField()
    status = serializers.CharField()
    seats = serializers.IntegerField()
    companion_seats = serializers.IntegerField()
    children = serializers.IntegerField()
    overbooked_seats = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    sms_consent = serializers.BooleanField()
    language = serializers.CharField()
    school = serializers.CharField()
    grade = serializers.CharField()
    series = serializers.SerializerMethodField()
    waitlist_position = serializers.SerializerMethodField()
    offer_expires_at = serializers.DateTimeField(allow_null=True)
    accessibility_needs = serializers.SerializerMethodField()
    accessibility_note = serializers.SerializerMethodField()
    attendance = serializers.SerializerMethodField()
    source = serializers.CharField()
    staff_reason = serializers.CharField()
    created_at = serializers.DateTimeField()

    def get_series(self, booking) -> bool:
        return booking.session_id is None

    def get_waitlist_position(self, booking) -> int | None:
        return self.context["positions"].get(booking.pk)

    def _accessibility(self, booking):
        try:
            return booking.accessibility
        except Booking.accessibility.RelatedObjectDoesNotExist:
            return None

    def get_accessibility_needs(self, booking) -> list[str]:
        request = self._accessibility(booking)
        return [need.code for need in request.needs.all()] if request else []

    def get_accessibility_note(self, booking) -> str:
        request = self._accessibility(booking)
        return request.note if request else ""

    def get_attendance(self, booking) -> str | None:
        rows = booking.session_attendance
        return rows[0].status if rows else None


class BookingDataEvent(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    library = serializers.CharField()
    url = serializers.URLField()


class BookingDataBooking(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    event = BookingDataEvent()
    sessions = _SessionBrief(many=True)
    seats = serializers.IntegerField()
    companion_seats = serializers.IntegerField()
    children = serializers.IntegerField()
    school = serializers.CharField()
    grade = serializers.CharField()
    language = serializers.CharField()
    source = serializers.CharField()
    promoted = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    waitlisted_at = serializers.DateTimeField(allow_null=True)
    offered_at = serializers.DateTimeField(allow_null=True)
    offer_expires_at = serializers.DateTimeField(allow_null=True)
    confirmed_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)
    cancelled_by = serializers.CharField()
    cancel_reason = serializers.CharField()
    staff_reason = serializers.CharField()


class BookingDataContact(serializers.Serializer):
    name = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()


class BookingDataNeed(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class BookingDataAccessibility(serializers.Serializer):
    needs = BookingDataNeed(many=True)
    note = serializers.CharField()
    consent_at = serializers.DateTimeField()


class BookingDataConsentEvent(serializers.Serializer):
    action = serializers.CharField()
    source = serializers.CharField()
    at = serializers.DateTimeField()


class BookingDataConsents(serializers.Serializer):
    sms_consent = serializers.BooleanField()
    sms_consent_at = serializers.DateTimeField(allow_null=True)
    accessibility_consent_at = serializers.DateTimeField(allow_null=True)
    events = BookingDataConsentEvent(many=True)


class BookingDataAttendance(serializers.Serializer):
    session = serializers.IntegerField()
    status = serializers.CharField()


class BookingDataHistory(serializers.Serializer):
    at = serializers.DateTimeField()
    action = serializers.CharField()
    by = serializers.ChoiceField(choices=["booker", "staff", "system"])
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    reason = serializers.CharField()


class BookingDataMessage(serializers.Serializer):
    template = serializers.CharField()
    channel = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)


class BookingDataOutput(serializers.Serializer):
    """GET {api_url}data/: everything held about the booking (booking.services.booker_data)."""

    generated_at = serializers.DateTimeField()
    booking = BookingDataBooking()
    contact = BookingDataContact()
    accessibility = BookingDataAccessibility(allow_null=True)
    consents = BookingDataConsents()
    attendance = BookingDataAttendance(many=True)
    history = BookingDataHistory(many=True)
    messages = BookingDataMessage(many=True)
