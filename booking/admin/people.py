"""Creators and staff roles; roles also appear inline on each user."""

from functools import partial

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from booking.admin.forms import CleanTextsForm
from booking.admin.places import URL_HTTPS
from booking.models import Creator, CreatorUnavailability, StaffRole

CHECKBOX_FIELDS = {
    "genres",
    "audiences",
    "priority_groups",
    "accessibility_features",
    "accessibility_needs",
    "needs",
    "wish_genres",
    "wish_audiences",
}


class CheckboxM2MMixin:
    """Short code lists (genres, audiences, ...) as checkboxes: easier than a multi-select."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in CHECKBOX_FIELDS:
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class CreatorForm(CleanTextsForm):
    roles = forms.MultipleChoiceField(
        label=_("roller"),
        choices=Creator.Role.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Creator
        fields = "__all__"  # noqa: DJ007 -- the admin narrows it to its fieldsets
        field_classes = {"website": partial(forms.URLField, assume_scheme="https")}


class CreatorUnavailabilityInline(admin.TabularInline):
    model = CreatorUnavailability
    form = CleanTextsForm
    extra = 0


@admin.register(Creator)
class CreatorAdmin(CheckboxM2MMixin, admin.ModelAdmin):
    formfield_overrides = URL_HTTPS
    form = CreatorForm
    list_display = ["name", "role_names", "home_municipality", "fee_sek", "user", "is_active"]
    list_select_related = ["home_municipality", "user"]
    list_filter = ["is_active", "home_municipality", "languages", "genres", "audiences"]
    search_fields = ["name", "email", "bio"]
    autocomplete_fields = ["user", "home_municipality", "languages"]
    inlines = [CreatorUnavailabilityInline]
    fieldsets = [
        (None, {"fields": ["name", "roles", "home_municipality", "is_active", "user"]}),
        (_("Presentation"), {"fields": ["bio", "bio_language", "website"]}),
        (_("Inriktning"), {"fields": ["languages", "genres", "audiences"]}),
        (
            _("Arvode och kontakt (bara för personal)"),
            {"fields": [("fee_sek", "fee_note"), ("f_tax", "vat_registered"), "email", "phone"]},
        ),
    ]

    @admin.display(description=_("roller"))
    def role_names(self, obj):
        labels = dict(Creator.Role.choices)
        return ", ".join(str(labels.get(code, code)) for code in obj.roles or [])


@admin.register(CreatorUnavailability)
class CreatorUnavailabilityAdmin(admin.ModelAdmin):
    form = CleanTextsForm
    list_display = ["creator", "start_date", "end_date", "note"]
    list_select_related = ["creator"]
    search_fields = ["creator__name", "note"]
    autocomplete_fields = ["creator"]
    date_hierarchy = "start_date"


@admin.register(StaffRole)
class StaffRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "library", "creator", "created_at"]
    list_select_related = ["user", "library", "creator"]
    list_filter = ["role", "library__municipality"]
    search_fields = ["user__username", "user__email", "user__first_name", "user__last_name", "library__name"]
    autocomplete_fields = ["user", "library", "creator"]


class StaffRoleInline(admin.TabularInline):
    model = StaffRole
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["library", "creator"]
    verbose_name = _("roll i Läsrum")
    verbose_name_plural = _("roller i Läsrum")


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class LasrumUserAdmin(UserAdmin):
    inlines = [StaffRoleInline]
    list_filter = [*UserAdmin.list_filter, "staff_roles__role"]
