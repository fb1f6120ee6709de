"""The reference vocabularies. Loaded from the region file; organisers may add names and order."""

from django.contrib import admin

from booking.models import AccessibilityNeed, Audience, Genre, Language, PriorityGroup, VenueFeature


class CodedNameAdmin(admin.ModelAdmin):
    list_display = ["pk", "name_sv", "name_en", "sort_order"]
    list_editable = ["sort_order"]
    search_fields = ["pk", "name_sv", "name_en"]
    ordering = ["sort_order", "pk"]


@admin.register(Audience)
class AudienceAdmin(CodedNameAdmin):
    list_display = ["code", "name_sv", "name_en", "min_age", "max_age", "sort_order"]
    search_fields = ["code", "name_sv", "name_en"]


@admin.register(Language)
class LanguageAdmin(CodedNameAdmin):
    list_display = ["tag", "name_sv", "name_en", "kind", "sort_order"]
    list_filter = ["kind"]
    search_fields = ["tag", "name_sv", "name_en"]


@admin.register(PriorityGroup)
class PriorityGroupAdmin(CodedNameAdmin):
    list_display = ["code", "name_sv", "name_en", "law", "sensitive", "sort_order"]
    search_fields = ["code", "name_sv", "name_en"]


@admin.register(VenueFeature)
class VenueFeatureAdmin(CodedNameAdmin):
    list_display = ["code", "name_sv", "name_en", "sort_order"]
    search_fields = ["code", "name_sv", "name_en"]


@admin.register(AccessibilityNeed)
class AccessibilityNeedAdmin(CodedNameAdmin):
    list_display = ["code", "name_sv", "name_en", "group", "prepared_by_staff", "sort_order"]
    list_filter = ["group", "prepared_by_staff"]
    search_fields = ["code", "name_sv", "name_en"]
    filter_horizontal = ["met_by"]


@admin.register(Genre)
class GenreAdmin(CodedNameAdmin):
    list_display = ["code", "name_sv", "name_en", "sort_order"]
    search_fields = ["code", "name_sv", "name_en"]
