"""Region, municipalities, libraries (with their rooms inline) and travel times."""

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from booking.admin.event_saves import RefusalsFormMixin, ServiceSaveMixin
from booking.admin.forms import CleanTextsForm
from booking.admin.place_saves import library_details_save, room_save, rooms_save
from booking.models import Library, Municipality, Region, Room, TravelTime

# Web addresses typed without a scheme are taken as https (Django 6's default).
URL_HTTPS = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    form = CleanTextsForm
    list_display = ["name", "unit_name", "county_code", "default_travel_minutes"]
    search_fields = ["name", "unit_name"]


class LibraryInline(admin.TabularInline):
    model = Library
    form = CleanTextsForm
    fields = ["name", "is_main_library", "is_mobile", "is_active"]
    extra = 0
    show_change_link = True


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "region", "library_count"]
    list_select_related = ["region"]
    search_fields = ["name", "code"]
    inlines = [LibraryInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_library_count=Count("libraries"))

    @admin.display(description=_("bibliotek"), ordering="_library_count")
    def library_count(self, obj):
        return obj._library_count


@admin.register(TravelTime)
class TravelTimeAdmin(admin.ModelAdmin):
    list_display = ["from_municipality", "to_municipality", "minutes"]
    list_editable = ["minutes"]
    list_select_related = ["from_municipality", "to_municipality"]
    list_filter = ["from_municipality"]
    autocomplete_fields = ["from_municipality", "to_municipality"]
    search_fields = ["from_municipality__name", "to_municipality__name"]


class ServiceSavedForm(RefusalsFormMixin, CleanTextsForm):
    """A library's or a room's page: its save is refused with the service's words."""


class RoomInline(admin.StackedInline):
    model = Room
    form = CleanTextsForm
    formfield_overrides = URL_HTTPS
    fields = [
        ("name", "capacity", "is_active"),
        "accessibility_features",
        "accessibility_url",
        "accessibility_description",
    ]
    extra = 0
    show_change_link = True

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "accessibility_features":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Library)
class LibraryAdmin(ServiceSaveMixin, admin.ModelAdmin):
    form = ServiceSavedForm
    formfield_overrides = URL_HTTPS
    list_display = [
        "name",
        "municipality",
        "is_main_library",
        "is_mobile",
        "address",
        "room_count",
        "is_active",
    ]
    list_select_related = ["municipality"]
    list_filter = ["municipality", "is_main_library", "is_mobile", "is_active", "address_verified"]
    search_fields = ["name", "municipality__name", "city", "street_address"]
    autocomplete_fields = ["municipality"]
    inlines = [RoomInline]
    fieldsets = [
        (None, {"fields": ["municipality", "name", ("is_main_library", "is_mobile", "is_active")]}),
        (
            _("Adress"),
            {
                "fields": [
                    "street_address",
                    ("postal_code", "city"),
                    ("address_verified", "address_verified_at", "address_verified_by"),
                    ("latitude", "longitude"),
                ],
                "description": _("Lämna tomt om adressen inte är känd: sidorna visar då ”adress saknas”."),
            },
        ),
        (
            _("Kontakt"),
            {"fields": ["contact_person", "email", "phone", "website", "opening_hours_url"]},
        ),
        (_("Tillgänglighet"), {"fields": ["accessibility_description"]}),
    ]
    # Verified means the library's own staff confirmed it (booking.services.libraries).
    readonly_fields = ["address_verified", "address_verified_at", "address_verified_by"]

    def save_model(self, request, obj, form, change):
        if change:
            library_details_save(actor=request.user, library=obj, form=form)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is Room:
            rooms_save(actor=request.user, library=form.instance, formset=formset)
        else:
            super().save_formset(request, form, formset, change)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_room_count=Count("rooms"))

    @admin.display(description=_("adress"))
    def address(self, obj):
        if not obj.street_address:
            return _("adress saknas")
        return ", ".join(part for part in [obj.street_address, obj.city] if part)

    @admin.display(description=_("lokaler"), ordering="_room_count")
    def room_count(self, obj):
        return obj._room_count


@admin.register(Room)
class RoomAdmin(ServiceSaveMixin, admin.ModelAdmin):
    form = ServiceSavedForm
    formfield_overrides = URL_HTTPS
    list_display = ["name", "library", "municipality", "capacity", "is_active"]
    list_select_related = ["library__municipality"]
    list_filter = ["library__municipality", "accessibility_features", "is_active"]
    search_fields = ["name", "library__name", "library__municipality__name"]
    autocomplete_fields = ["library"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "accessibility_features":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return ["library"] if obj is not None else []  # a room does not move library

    def save_model(self, request, obj, form, change):
        room = room_save(actor=request.user, form=form)
        obj.pk = room.pk
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        pass  # the features were saved by the rooms service; a room has no inlines

    @admin.display(description=_("kommun"), ordering="library__municipality__name")
    def municipality(self, obj):
        return obj.library.municipality
