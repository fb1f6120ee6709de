"""Creators' profiles (public, plus a staff-only part) and the caller's own account."""

from rest_framework import serializers

from booking import access
from booking.models import Creator, CreatorUnavailability


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
    unavailable = UnavailabilityOutput(many=True, read_only=True)

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
        if not (access.can_see_creator_private(user) or own):
            for key in self.PRIVATE:
                data.pop(key, None)
        return data
