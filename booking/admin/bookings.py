"""Bookings, with accessibility needs and attendance inline.

Contact data and needs are personal (needs are health data): the admin is for organisers only.
Seats and status are kept by the booking engine (counted against each session's capacity), so
they are read-only here; new bookings are made on the staff pages or through the API.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from booking.admin.audit import ReadOnlyAdmin
from booking.admin.people import CheckboxM2MMixin
from booking.models import AccessibilityRequest, Attendance, Booking, IdempotencyRecord


class AccessibilityRequestInline(CheckboxM2MMixin, admin.StackedInline):
    model = AccessibilityRequest
    fields = ["needs", "note", "consent_at"]
    max_num = 1
    extra = 0


class AttendanceInline(admin.TabularInline):
    model = Attendance
    fields = ["session", "status", "recorded_by", "recorded_at"]
    readonly_fields = ["recorded_by", "recorded_at"]
    autocomplete_fields = ["session"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("session__event", "recorded_by")


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "event", "session_start", "seats", "status", "source", "created_at"]
    list_display_links = ["id", "name"]
    list_select_related = ["event", "session"]
    list_filter = [
        "status",
        "source",
        "language",
        "promoted",
        "event__kind",
        "event__library__municipality",
        ("anonymised_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["name", "email", "phone", "school", "event__title"]
    date_hierarchy = "created_at"
    inlines = [AccessibilityRequestInline, AttendanceInline]
    fieldsets = [
        (None, {"fields": ["event", "session", "status", "promoted"]}),
        (_("Platser"), {"fields": [("seats", "companion_seats", "children", "overbooked_seats")]}),
        (
            _("Kontakt (personuppgifter)"),
            {
                "fields": [
                    "name",
                    "email",
                    "phone",
                    ("sms_consent", "sms_consent_at"),
                    "language",
                    "school",
                    "grade",
                ]
            },
        ),
        (
            _("Väntelista och avbokning"),
            {
                "fields": [
                    ("waitlisted_at", "offered_at", "offer_expires_at"),
                    ("confirmed_at", "cancelled_at", "cancelled_by"),
                    "cancel_reason",
                ]
            },
        ),
        (_("Ursprung"), {"fields": ["source", "created_by", "staff_reason", "anonymised_at", "created_at"]}),
    ]
    readonly_fields = [
        "event",
        "session",
        "status",
        "promoted",
        "seats",
        "companion_seats",
        "children",
        "overbooked_seats",
        "sms_consent_at",
        "waitlisted_at",
        "offered_at",
        "offer_expires_at",
        "confirmed_at",
        "cancelled_at",
        "cancelled_by",
        "cancel_reason",
        "source",
        "created_by",
        "staff_reason",
        "anonymised_at",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False  # seats are counted by the booking engine: book on the staff pages or the API

    def has_delete_permission(self, request, obj=None):
        return False  # a booking is cancelled (freeing its seats), never deleted

    @admin.display(description=_("tillfälle"), ordering="session__start")
    def session_start(self, obj):
        if obj.session is None:
            return _("hela serien")
        from django.utils import timezone

        return timezone.localtime(obj.session.start).strftime("%Y-%m-%d %H:%M")

    def save_formset(self, request, form, formset, change):
        if formset.model is Attendance:
            for attendance in formset.save(commit=False):
                attendance.recorded_by = request.user
                attendance.save()
            for attendance in formset.deleted_objects:
                attendance.delete()
            return None
        return super().save_formset(request, form, formset, change)


@admin.register(AccessibilityRequest)
class AccessibilityRequestAdmin(CheckboxM2MMixin, admin.ModelAdmin):
    list_display = ["booking", "event", "consent_at"]
    list_select_related = ["booking__event"]
    list_filter = ["needs"]
    search_fields = ["booking__name", "booking__event__title", "note"]
    fields = ["booking", "needs", "note", "consent_at"]
    readonly_fields = ["booking"]

    def has_add_permission(self, request):
        return False  # added with its booking

    @admin.display(description=_("evenemang"))
    def event(self, obj):
        return obj.booking.event


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["booking", "session", "status", "recorded_by", "recorded_at"]
    list_select_related = ["booking", "session__event", "recorded_by"]
    list_filter = ["status", "session__event__library__municipality"]
    search_fields = ["booking__name", "session__event__title"]
    autocomplete_fields = ["booking", "session"]
    readonly_fields = ["recorded_by", "recorded_at"]

    def save_model(self, request, obj, form, change):
        obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdmin):
    list_display = ["scope", "short_key", "state", "response_status", "created_at", "expires_at"]
    list_filter = ["state"]
    search_fields = ["scope", "key"]
    exclude = ["response_body"]  # may hold a booking's tokens

    @admin.display(description=_("nyckel"))
    def short_key(self, obj):
        return obj.key[:32]
