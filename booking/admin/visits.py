"""Author-visit requests with their date options inline.

The status moves only through its transitions (submit, approve, offer, accept, ...), which
check the state, book the room and tell the parties; so it is read-only here."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from booking.admin.people import CheckboxM2MMixin
from booking.models import VisitDateOption, VisitRequest


class VisitDateOptionInline(admin.TabularInline):
    model = VisitDateOption
    extra = 0


@admin.register(VisitRequest)
class VisitRequestAdmin(CheckboxM2MMixin, admin.ModelAdmin):
    list_display = [
        "__str__",
        "library",
        "format",
        "status",
        "creator",
        "offered_creator",
        "fee_sek",
        "cofunding_requested_sek",
        "cofunding_granted_sek",
        "created_at",
    ]
    list_select_related = ["library", "creator", "offered_creator"]
    list_filter = ["status", "format", "publish", "library__municipality"]
    search_fields = ["title", "library__name", "creator__name", "offered_creator__name", "notes"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["library", "room", "creator", "wish_languages", "languages"]
    inlines = [VisitDateOptionInline]
    readonly_fields = [
        "status",
        "offered_creator",
        "chosen_date_option",
        "event",
        "submitted_at",
        "decided_at",
        "created_by",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["status", "library", "room", "title", "format", ("duration_minutes", "lessons")]}),
        (_("Kulturskapare"), {"fields": ["creator", "wish_genres", "wish_languages", "wish_audiences"]}),
        (
            _("Publik"),
            {
                "fields": [
                    "audiences",
                    "expected_attendees",
                    "languages",
                    "priority_groups",
                    "accessibility_needs",
                    "publish",
                    "notes",
                ]
            },
        ),
        (
            _("Ekonomi (kr)"),
            {
                "fields": [
                    ("fee_sek", "vat_applies"),
                    ("travel_cost_sek", "travel_claimed_sek"),
                    ("cofunding_requested_sek", "cofunding_granted_sek", "cofunding_paid_sek"),
                ]
            },
        ),
        (
            _("Handläggning"),
            {
                "fields": [
                    "offered_creator",
                    "chosen_date_option",
                    "event",
                    "decline_reason",
                    "refuse_note",
                    "cancel_reason",
                    ("attendees", "evaluation"),
                    ("submitted_at", "decided_at"),
                    ("created_by", "created_at", "updated_at"),
                ]
            },
        ),
    ]

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(VisitDateOption)
class VisitDateOptionAdmin(admin.ModelAdmin):
    list_display = ["request", "start", "end"]
    list_select_related = ["request__library"]
    search_fields = ["request__title", "request__library__name"]
    autocomplete_fields = ["request"]
    date_hierarchy = "start"
