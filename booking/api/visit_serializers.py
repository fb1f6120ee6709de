"""Input and output shapes of /api/v1/visit-requests/ (API.md, "Author-visit requests")."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from booking import access
from booking.api.fields import CodeKeyField
from booking.models import (
    AccessibilityNeed,
    Audience,
    Creator,
    Genre,
    Language,
    Library,
    PriorityGroup,
    Room,
    VisitDateOption,
    VisitRequest,
)
from booking.services import visit_requests as visits

MONEY = {"min_value": 0, "max_value": 10_000_000, "required": False, "allow_null": True}


def _codes(model, **kwargs):
    return CodeKeyField(many=True, queryset=model.objects.all(), required=False, **kwargs)


class DateOptionInput(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()

    def validate(self, attrs):
        if attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": _("Slutet måste komma efter starten.")})
        return attrs


class WishesInput(serializers.Serializer):
    genres = _codes(Genre)
    languages = _codes(Language)
    audiences = _codes(Audience)


class VisitRequestInput(serializers.Serializer):
    """POST and PATCH (partial) of a draft request."""

    library = serializers.PrimaryKeyRelatedField(queryset=Library.objects.filter(is_active=True))
    room = serializers.PrimaryKeyRelatedField(
        queryset=Room.objects.filter(is_active=True), required=False, allow_null=True
    )
    creator = serializers.PrimaryKeyRelatedField(
        queryset=Creator.objects.filter(is_active=True), required=False, allow_null=True
    )
    wishes = WishesInput(required=False)
    date_options = DateOptionInput(many=True, required=False, max_length=10)
    format = serializers.ChoiceField(choices=VisitRequest.Format.choices)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    duration_minutes = serializers.IntegerField(min_value=5, max_value=600, required=False)
    lessons = serializers.IntegerField(min_value=1, max_value=8, required=False, allow_null=True)
    audiences = _codes(Audience)
    expected_attendees = serializers.IntegerField(
        min_value=1, max_value=10_000, required=False, allow_null=True
    )
    languages = _codes(Language)
    priority_groups = _codes(PriorityGroup)
    accessibility_needs = _codes(AccessibilityNeed)
    fee_sek = serializers.IntegerField(**MONEY)
    vat_applies = serializers.BooleanField(required=False)  # ignored: derived (fees.visit_vat_applies)
    reads_own_text = serializers.BooleanField(required=False)
    travel_cost_sek = serializers.IntegerField(**MONEY)
    travel_claimed_sek = serializers.IntegerField(**MONEY)
    cofunding_requested_sek = serializers.IntegerField(**MONEY)
    publish = serializers.BooleanField(required=False)
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True)

    def to_service_fields(self) -> dict:
        """The validated data in the service's words (wishes → wish_genres, ...)."""
        data = dict(self.validated_data)
        for key, values in (data.pop("wishes", None) or {}).items():
            data[f"wish_{key}"] = values
        if "date_options" in data:
            data["date_options"] = [dict(option) for option in data["date_options"]]
        return data


class DateOptionOutput(serializers.ModelSerializer):
    class Meta:
        model = VisitDateOption
        fields = ["id", "start", "end"]


class VisitRequestOutput(serializers.ModelSerializer):
    library = serializers.SerializerMethodField()
    creator = serializers.SerializerMethodField()
    offered_creator = serializers.SerializerMethodField()
    wishes = serializers.SerializerMethodField()
    date_options = DateOptionOutput(many=True, read_only=True)
    chosen_date_option = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    audiences = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    languages = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    priority_groups = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    accessibility_needs = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    suggested_fee_sek = serializers.SerializerMethodField()
    event = serializers.SerializerMethodField()
    allowed_transitions = serializers.SerializerMethodField()

    class Meta:
        model = VisitRequest
        fields = [
            "id",
            "status",
            "library",
            "room",
            "creator",
            "offered_creator",
            "wishes",
            "date_options",
            "chosen_date_option",
            "format",
            "title",
            "duration_minutes",
            "lessons",
            "audiences",
            "expected_attendees",
            "languages",
            "priority_groups",
            "accessibility_needs",
            "publish",
            "notes",
            "fee_sek",
            "suggested_fee_sek",
            "vat_applies",
            "reads_own_text",
            "travel_cost_sek",
            "travel_claimed_sek",
            "cofunding_requested_sek",
            "cofunding_granted_sek",
            "cofunding_paid_sek",
            "decline_reason",
            "refuse_note",
            "cancel_reason",
            "attendees",
            "evaluation",
            "event",
            "allowed_transitions",
            "submitted_at",
            "decided_at",
            "created_at",
            "updated_at",
        ]

    def get_library(self, obj) -> dict:
        return {"id": obj.library_id, "name": obj.library.name, "municipality": obj.library.municipality_id}

    @staticmethod
    def _creator(creator):
        return {"id": creator.pk, "name": creator.name} if creator else None

    def get_creator(self, obj) -> dict | None:
        return self._creator(obj.creator)

    def get_offered_creator(self, obj) -> dict | None:
        return self._creator(obj.offered_creator)

    def get_wishes(self, obj) -> dict:
        return {
            "genres": [g.pk for g in obj.wish_genres.all()],
            "languages": [g.pk for g in obj.wish_languages.all()],
            "audiences": [g.pk for g in obj.wish_audiences.all()],
        }

    def get_suggested_fee_sek(self, obj) -> int | None:
        return visits.fee_suggest(
            format=obj.format, duration_minutes=obj.duration_minutes, lessons=obj.lessons
        )

    def get_event(self, obj) -> dict | None:
        if not obj.event_id:
            return None
        request = self.context.get("request")
        url = obj.event.get_absolute_url()
        return {"id": obj.event_id, "url": request.build_absolute_uri(url) if request else url}

    def get_allowed_transitions(self, obj) -> list[str]:
        request = self.context.get("request")
        return visits.allowed_transitions(visit_request=obj, user=request.user) if request else []

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and not access.is_staff_member(request.user):
            # A creator sees the visit and the fee, not the region's and library's budget talk.
            for key in ("cofunding_requested_sek", "cofunding_granted_sek", "cofunding_paid_sek", "notes"):
                data.pop(key, None)
        if request is not None and access.sees_visit_as_creator(request.user, instance):
            # The creator sees the visit, not the library's wishes about other creators.
            for key in ("creator", "wishes"):
                data.pop(key, None)
        return data


# --- Transition inputs ----------------------------------------------------------------------
class _Empty(serializers.Serializer):
    pass


class ApproveInput(serializers.Serializer):
    cofunding_granted_sek = serializers.IntegerField(min_value=0, max_value=10_000_000)
    fee_sek = serializers.IntegerField(min_value=0, max_value=10_000_000, required=False)


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class OptionalReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class OfferInput(serializers.Serializer):
    creator = serializers.PrimaryKeyRelatedField(queryset=Creator.objects.filter(is_active=True))


class AcceptInput(serializers.Serializer):
    date_option = serializers.IntegerField(min_value=1)


class RefuseInput(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class CompleteInput(serializers.Serializer):
    attendees = serializers.IntegerField(min_value=0, max_value=100_000)
    evaluation = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


TRANSITION_INPUTS = {
    "submit": _Empty,
    "approve": ApproveInput,
    "decline": ReasonInput,
    "offer": OfferInput,
    "accept": AcceptInput,
    "refuse": RefuseInput,
    "withdraw": OptionalReasonInput,
    "cancel": ReasonInput,
    "complete": CompleteInput,
}
