"""Events with their sessions inline, and sessions on their own.

Seats taken are kept by the booking engine and are read-only here. A session moved or cancelled
here gets a new calendar SEQUENCE and its bookers are told, as on the staff pages.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Max, Min, Q
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking.admin.people import CheckboxM2MMixin
from booking.models import Event, Session
from notifications import outbox


def session_before_save(session: Session, changed: set[str]) -> None:
    """A new time or place is a new calendar SEQUENCE (RFC 5545); a cancellation gets its time."""
    if changed & {"start", "end", "room"}:
        session.sequence += 1
    if "status" in changed and session.status == Session.Status.CANCELLED:
        session.cancelled_at = timezone.now()


def session_after_save(session: Session, changed: set[str]) -> None:
    """Tell the bookers, through the outbox, in the admin's own transaction."""
    if "status" in changed and session.status == Session.Status.CANCELLED:
        outbox.notify_session_cancelled(session)
    elif changed & {"start", "end", "room"}:
        outbox.notify_session_moved(session)


class WhenFilter(admin.SimpleListFilter):
    title = _("när")
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return [("upcoming", _("Kommande")), ("past", _("Tidigare"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        field = "start" if queryset.model is Session else "sessions__start"
        if self.value() == "upcoming":
            return queryset.filter(**{f"{field}__gte": now}).distinct()
        if self.value() == "past":
            if queryset.model is Session:
                return queryset.filter(start__lt=now)
            return queryset.exclude(sessions__start__gte=now)
        return queryset


class SessionInlineForm(forms.ModelForm):
    capacity = forms.IntegerField(
        label=_("antal platser"),
        min_value=1,
        required=False,
        help_text=_("Tomt: evenemangets antal platser."),
    )

    class Meta:
        model = Session
        fields = ["start", "end", "room", "capacity", "capacity_overridden", "status", "cancel_reason"]

    def clean(self):
        cleaned = super().clean()
        capacity = cleaned.get("capacity")
        if capacity is not None and self.instance.pk and capacity < self.instance.seats_taken:
            self.add_error(
                "capacity",
                _("Det finns redan %(taken)d bokade platser: kapaciteten kan inte vara lägre.")
                % {"taken": self.instance.seats_taken},
            )
        return cleaned

    def _post_clean(self):
        # The capacity defaults to the event's; fill it before the model's own checks run. A
        # session added together with a new event finds the event through its formset.
        event = getattr(self, "parent_event", None) or (
            self.instance.event if self.instance.event_id else None
        )
        if self.cleaned_data.get("capacity") is None and event is not None:
            self.cleaned_data["capacity"] = self.instance.capacity or event.capacity
        super()._post_clean()


class SessionFormSet(BaseInlineFormSet):
    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.parent_event = self.instance
        return form


class SessionInline(admin.TabularInline):
    model = Session
    form = SessionInlineForm
    formset = SessionFormSet
    fields = [
        "start",
        "end",
        "room",
        "capacity",
        "capacity_overridden",
        "seats_taken",
        "overbooked",
        "status",
        "cancel_reason",
        "sequence",
    ]
    readonly_fields = ["seats_taken", "overbooked", "sequence"]
    autocomplete_fields = ["room"]
    extra = 0
    show_change_link = True


class EventForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = "__all__"  # noqa: DJ007 -- the admin narrows it to its fieldsets

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        status = self.fields.get("status")
        if status is not None and self.instance.status != Event.Status.CANCELLED:
            # Cancelling tells every booker: that is the action "Ställ in", not a field edit.
            status.choices = [c for c in status.choices if c[0] != Event.Status.CANCELLED]

    def clean(self):
        cleaned = super().clean()
        room, capacity = cleaned.get("room"), cleaned.get("capacity")
        if room and capacity and capacity > room.capacity:
            self.add_error(
                "capacity",
                _("Lokalen %(room)s har bara %(max)d platser.") % {"room": room.name, "max": room.capacity},
            )
        if capacity and self.instance.pk:
            taken = (
                self.instance.sessions.filter(capacity_overridden=False)
                .aggregate(taken=Max("seats_taken"))
                .get("taken")
            )
            if taken and capacity < taken:
                self.add_error(
                    "capacity",
                    _("Ett tillfälle har redan %(taken)d bokade platser: kapaciteten kan inte vara lägre.")
                    % {"taken": taken},
                )
        return cleaned


@admin.register(Event)
class EventAdmin(CheckboxM2MMixin, admin.ModelAdmin):
    form = EventForm
    list_display = [
        "title",
        "kind",
        "library",
        "next_start",
        "session_count",
        "status",
        "visibility",
        "easy_to_read",
    ]
    list_select_related = ["library"]
    list_filter = [
        WhenFilter,
        "kind",
        "status",
        "visibility",
        "easy_to_read",
        "library__municipality",
        "audiences",
        "priority_groups",
        "languages",
    ]
    search_fields = ["title", "title_sv", "title_en", "description", "library__name", "creators__name"]
    autocomplete_fields = ["library", "room", "creators", "languages"]
    readonly_fields = ["created_by", "created_at", "updated_at", "cancelled_at"]
    inlines = [SessionInline]
    actions = ["publish", "cancel"]
    fieldsets = [
        (None, {"fields": ["kind", ("status", "visibility"), "library", "room", "creators"]}),
        (
            _("Texter"),
            {
                "fields": [
                    "content_language",
                    "title",
                    "description",
                    "title_sv",
                    "description_sv",
                    "title_en",
                    "description_en",
                    "sms_title",
                ],
                "description": _(
                    "Titel och beskrivning skrivs på det språk evenemanget hålls på; "
                    "svensk och engelsk version är frivilliga."
                ),
            },
        ),
        (
            _("Målgrupp och tillgänglighet"),
            {
                "fields": [
                    "audiences",
                    "priority_groups",
                    "languages",
                    "easy_to_read",
                    "accessibility_features",
                ]
            },
        ),
        (
            _("Bokning"),
            {
                "fields": [
                    ("capacity", "max_seats_per_booking"),
                    ("booking_opens", "booking_closes_before"),
                    ("waitlist_mode", "booking_mode"),
                ]
            },
        ),
        (
            _("Upprepning"),
            {
                "classes": ["collapse"],
                "fields": [
                    "recurrence_rule",
                    "recurrence_dtstart",
                    "recurrence_duration",
                    "recurrence_exdates",
                ],
            },
        ),
        (
            _("Historik"),
            {
                "classes": ["collapse"],
                "fields": ["cancel_reason", "cancelled_at", "created_by", "created_at", "updated_at"],
            },
        ),
    ]

    def get_queryset(self, request):
        now = timezone.now()
        return (
            super()
            .get_queryset(request)
            .annotate(
                _next_start=Min("sessions__start", filter=Q(sessions__start__gte=now)),
                _session_count=Count("sessions"),
            )
        )

    @admin.display(description=_("nästa tillfälle"), ordering="_next_start")
    def next_start(self, obj):
        if obj._next_start is None:
            return "–"
        return timezone.localtime(obj._next_start).strftime("%Y-%m-%d %H:%M")

    @admin.display(description=_("tillfällen"), ordering="_session_count")
    def session_count(self, obj):
        return obj._session_count

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        if change and "capacity" in form.changed_data:
            obj.sessions.filter(capacity_overridden=False).update(capacity=obj.capacity)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Session:
            return super().save_formset(request, form, formset, change)
        edited = [
            (f.instance, set(f.changed_data))
            for f in formset.forms
            if f.instance.pk is not None and f.has_changed() and f not in formset.deleted_forms
        ]
        for session, changed in edited:
            session_before_save(session, changed)
        formset.save()
        for session, changed in edited:
            session_after_save(session, changed)
        return None

    @admin.action(description=_("Publicera markerade utkast"))
    def publish(self, request, queryset):
        count = queryset.filter(status=Event.Status.DRAFT).update(status=Event.Status.PUBLISHED)
        self.message_user(request, _("%(count)d evenemang publicerade.") % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Ställ in markerade evenemang (bokade meddelas)"))
    def cancel(self, request, queryset):
        from booking.services.events import event_cancel

        count = 0
        for event in queryset.exclude(status=Event.Status.CANCELLED):
            event_cancel(event=event, actor=request.user, reason=str(_("Inställt av administratör")))
            count += 1
        self.message_user(request, _("%(count)d evenemang inställda.") % {"count": count}, messages.SUCCESS)


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["event", "start", "end", "room", "capacity", "seats_taken", "status"]
    list_select_related = ["event", "room__library"]
    list_filter = [WhenFilter, "status", "event__kind", "event__library__municipality"]
    search_fields = ["event__title", "event__library__name"]
    date_hierarchy = "start"
    autocomplete_fields = ["room"]
    readonly_fields = [
        "event",
        "seats_taken",
        "overbooked",
        "uid",
        "sequence",
        "cancelled_at",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request):
        return False  # sessions are added on their event's page

    def get_form(self, request, obj=None, **kwargs):
        kwargs.setdefault("form", SessionInlineForm)
        return super().get_form(request, obj, **kwargs)

    def save_model(self, request, obj, form, change):
        changed = set(form.changed_data) if change else set()
        session_before_save(obj, changed)
        super().save_model(request, obj, form, change)
        session_after_save(obj, changed)

    def get_search_results(self, request, queryset, search_term):
        # The attendance inline on a booking looks sessions up: keep that cheap.
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return queryset.select_related("event"), may_have_duplicates
