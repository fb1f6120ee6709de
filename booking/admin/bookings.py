"""Bookings, with accessibility needs and attendance inline.

Contact data and needs are personal (needs are health data): the admin is for organisers only.
Seats and status are kept by the booking engine (counted against each session's capacity), so
they are read-only here; new bookings are made on the staff pages or through the API.

Names, e-mail addresses and phone numbers are encrypted at rest: a booking is searched for by
its exact e-mail address or number (through the keyed digests, booking.selectors.contacts), not
by a part of it nor by name, and the admin's log names a booking by its number only.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.utils.translation import gettext_lazy as _

from booking.admin.audit import ReadOnlyAdmin
from booking.admin.people import CheckboxM2MMixin
from booking.errors import InvalidInput
from booking.models import AccessibilityRequest, Attendance, Booking, IdempotencyRecord
from booking.selectors.contacts import contact_digests, search_contact_q
from booking.validation import phone_normalize

CONTACT_SEARCH_HELP = _("Sök på exakt e-postadress eller mobilnummer, eller på evenemangets titel.")


class ContactSearchMixin:
    """The search box also finds bookings by an exact e-mail address or phone number."""

    contact_prefix = ""  # the path to the booking: "booking__" for rows that belong to one

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        contact = search_contact_q(search_term, prefix=self.contact_prefix)
        if contact is not None:
            results |= queryset.filter(contact)
        return results, may_have_duplicates


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


class BookingAdminForm(forms.ModelForm):
    """One-line inputs for the encrypted contact columns (text columns in the database), the
    e-mail address checked and the number stored in E.164 like every other booking's."""

    name = forms.CharField(label=_("namn"), max_length=120, required=False)
    email = forms.EmailField(label=_("e-post"), max_length=254, required=False)
    phone = forms.CharField(label=_("mobilnummer (E.164)"), max_length=40, required=False)

    class Meta:
        model = Booking
        fields = ["name", "email", "phone", "sms_consent", "language", "school", "grade"]

    def clean_phone(self):
        try:
            return phone_normalize(self.cleaned_data.get("phone"), for_sms=False)
        except InvalidInput as exc:
            raise forms.ValidationError(exc.errors[0]["detail"]) from exc


@admin.register(Booking)
class BookingAdmin(ContactSearchMixin, admin.ModelAdmin):
    form = BookingAdminForm
    list_display = ["id", "booker", "event", "session_start", "seats", "status", "source", "created_at"]
    list_display_links = ["id", "booker"]
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
    search_fields = ["school", "event__title"]
    search_help_text = CONTACT_SEARCH_HELP
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

    @admin.display(description=_("namn"))
    def booker(self, obj):
        return obj.name  # not sortable: the column is encrypted

    def save_model(self, request, obj, form, change):
        for field, digest in contact_digests(email=obj.email, phone=obj.phone).items():
            setattr(obj, field, digest)
        super().save_model(request, obj, form, change)

    def log_change(self, request, obj, message):
        """The log names the booking by its number: its name is personal data, kept encrypted."""
        entry = super().log_change(request, obj, message)
        LogEntry.objects.filter(pk=entry.pk).update(object_repr=f"#{obj.pk}")
        return entry

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
class AccessibilityRequestAdmin(ContactSearchMixin, CheckboxM2MMixin, admin.ModelAdmin):
    list_display = ["booking", "event", "consent_at"]
    list_select_related = ["booking__event"]
    list_filter = ["needs"]
    search_fields = ["booking__event__title"]
    search_help_text = CONTACT_SEARCH_HELP
    contact_prefix = "booking__"
    fields = ["booking", "needs", "note", "consent_at"]
    readonly_fields = ["booking"]

    def has_add_permission(self, request):
        return False  # added with its booking

    @admin.display(description=_("evenemang"))
    def event(self, obj):
        return obj.booking.event


@admin.register(Attendance)
class AttendanceAdmin(ContactSearchMixin, admin.ModelAdmin):
    list_display = ["booking", "session", "status", "recorded_by", "recorded_at"]
    list_select_related = ["booking", "session__event", "recorded_by"]
    list_filter = ["status", "session__event__library__municipality"]
    search_fields = ["session__event__title"]
    search_help_text = CONTACT_SEARCH_HELP
    contact_prefix = "booking__"
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
