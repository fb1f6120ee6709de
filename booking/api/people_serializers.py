"""Creators' profiles (public, plus a staff-only part) and the caller's own account."""

from rest_framework import serializers

from booking import access
from booking.api.event_serializers import StrictSerializer
from booking.api.fields import CodeField
from booking.models import Audience, Creator, CreatorUnavailability, Genre, Language, Municipality


class UnavailabilityOutput(serializers.ModelSerializer):
    class Meta:
        model = CreatorUnavailability
        fields = ["start_date", "end_date", "note"]


class CreatorOutput(serializers.ModelSerializer):
    """Public profile; fees, contact details and unavailable dates only for staff."""

    languages = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    genres = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    audiences = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    home_municipality = serializers.SerializerMethodField()
    # Not read_only: drf-spectacular marks read-only fields required, and anonymous answers
    # leave this one out (PRIVATE). This serializer only ever answers.
    unavailable = UnavailabilityOutput(many=True, required=False)

    PRIVATE = ("fee_sek", "fee_note", "f_tax", "vat_registered", "email", "phone", "unavailable")

    class Meta:
        model = Creator
        fields = [
            "id",
            "name",
            "roles",
            "bio",
            "bio_language",
            "languages",
            "genres",
            "audiences",
            "home_municipality",
            "website",
            "fee_sek",
            "fee_note",
            "f_tax",
            "vat_registered",
            "email",
            "phone",
            "unavailable",
        ]

    def get_home_municipality(self, obj) -> dict | None:
        place = obj.home_municipality
        return {"code": place.code, "name": place.name} if place else None

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        own = user is not None and getattr(user, "pk", None) and instance.user_id == user.pk
        if not own and getattr(user, "is_authenticated", False):
            mine = access.creator_for(user)
            own = mine is not None and mine.pk == instance.pk
        if not (access.can_see_creator_private(user) or own):
            for key in self.PRIVATE:
                data.pop(key, None)
        return data


class UnavailabilityIn(StrictSerializer):
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class CreatorProfileIn(StrictSerializer):
    """PATCH /api/v1/creators/{id}/: the fields a creator owns (all optional). `unavailable`
    replaces the whole list of unavailable periods."""

    bio = serializers.CharField(required=False, allow_blank=True, max_length=5000, trim_whitespace=True)
    bio_language = CodeField(slug_field="tag", queryset=Language.objects.all(), required=False)
    website = serializers.URLField(required=False, allow_blank=True, max_length=200)
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Creator.Role.choices), required=False, max_length=10
    )
    languages = CodeField(many=True, required=False, slug_field="tag", queryset=Language.objects.all())
    genres = CodeField(many=True, required=False, slug_field="code", queryset=Genre.objects.all())
    audiences = CodeField(many=True, required=False, slug_field="code", queryset=Audience.objects.all())
    home_municipality = serializers.PrimaryKeyRelatedField(
        queryset=Municipality.objects.all(), required=False, allow_null=True, help_text="SCB code, e.g. 0484"
    )
    fee_sek = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=10_000_000)
    fee_note = serializers.CharField(required=False, allow_blank=True, max_length=200)
    f_tax = serializers.BooleanField(required=False)
    vat_registered = serializers.BooleanField(required=False)
    unavailable = UnavailabilityIn(many=True, required=False, max_length=100)

    def validate_bio_language(self, value):
        return value.tag
