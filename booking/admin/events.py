"""Events with their sessions inline, and sessions on their own.

Every save goes through the events services (booking.admin.event_saves): the same checks,
waitlist fill, calendar SEQUENCE, messages to the bookers and audit entry as the API, and a
refusal shows on its field. Seats taken are kept by the booking engine and are read-only here.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Min, Q
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking.admin.event_saves import (
    RefusalsFormMixin,
    ServiceSaveMixin,
    event_add,
    event_save,
    session_save,
    sessions_save,
    with_refusals,
)
from booking.admin.people import CheckboxM2MMixin
from booking.errors import DomainError
from booking.models import Event, Session
from booking.services.events import event_cancel, event_update


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


class SessionInlineForm(RefusalsFormMixin, forms.ModelForm):
    capacity = forms.IntegerField(
        label=_("antal platser"),
        min_value=1,
        required=False,
        help_text=_("Tomt: evenemangets antal platser."),
    )

    class Meta:
        model = Session
        fields = ["start", "end", "room", "capacity", "status", "cancel_reason"]

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
    readonly_fields = ["capacity_overridden", "seats_taken", "overbooked", "sequence"]
    autocomplete_fields = ["room"]
    extra = 0
    show_change_link = True
    can_delete = False  # a session is cancelled, never deleted: feeds and bookers must see it

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["form"] = with_refusals(kwargs.get("form", self.form), request)
        return super().get_formset(request, obj, **kwargs)


class EventForm(RefusalsFormMixin, forms.ModelForm):
    class Meta:
        model = Event
        fields = "__all__"  # noqa: DJ007 -- the admin narrows it to its fieldsets

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        status = self.fields.get("status")
        if status is not None and self.instance.status != Event.Status.CANCELLED:
            # Cancelling tells every booker: that is the action "Ställ in", not a field edit.
            status.choices = [c for c in status.choices if c[0] != Event.Status.CANCELLED]


@admin.register(Event)
class EventAdmin(ServiceSaveMixin, CheckboxM2MMixin, admin.ModelAdmin):
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
    readonly_fields = ["cancel_reason", "created_by", "created_at", "updated_at", "cancelled_at"]
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

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "library"] if obj is not None else fields  # events do not move library

    def save_model(self, request, obj, form, change):
        if change:
            event_save(actor=request.user, event=obj, form=form)
            obj.refresh_from_db()
        # A new event is made with its sessions, in save_related.

    def save_related(self, request, form, formsets, change):
        sessions = next((f for f in formsets if f.model is Session), None)
        if not change:
            event = event_add(actor=request.user, form=form, formset=sessions)
            form.instance.pk = event.pk
            form.instance._state.adding = False
            form.instance.refresh_from_db()
        elif sessions is not None:
            sessions_save(actor=request.user, event=form.instance, formset=sessions)
        for formset in formsets:
            if formset is not sessions:
                self.save_formset(request, form, formset, change=change)

    @admin.action(description=_("Publicera markerade utkast"))
    def publish(self, request, queryset):
        count = 0
        for event in queryset.filter(status=Event.Status.DRAFT):
            try:
                event_update(event=event, actor=request.user, status=Event.Status.PUBLISHED)
            except DomainError as error:
                self.message_user(request, f"{event}: {error}", messages.ERROR)
                continue
            count += 1
        self.message_user(request, _("%(count)d evenemang publicerade.") % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Ställ in markerade evenemang (bokade meddelas)"))
    def cancel(self, request, queryset):
        count = 0
        for event in queryset.exclude(status=Event.Status.CANCELLED):
            try:
                event_cancel(event=event, actor=request.user, reason=str(_("Inställt av administratör")))
            except DomainError as error:
                self.message_user(request, f"{event}: {error}", messages.ERROR)
                continue
            count += 1
        self.message_user(request, _("%(count)d evenemang inställda.") % {"count": count}, messages.SUCCESS)


@admin.register(Session)
class SessionAdmin(ServiceSaveMixin, admin.ModelAdmin):
    list_display = ["event", "start", "end", "room", "capacity", "seats_taken", "status"]
    list_select_related = ["event", "room__library"]
    list_filter = [WhenFilter, "status", "event__kind", "event__library__municipality"]
    search_fields = ["event__title", "event__library__name"]
    date_hierarchy = "start"
    autocomplete_fields = ["room"]
    readonly_fields = [
        "event",
        "capacity_overridden",
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

    def has_delete_permission(self, request, obj=None):
        return False  # a session is cancelled, never deleted: feeds and bookers must see it

    def save_model(self, request, obj, form, change):
        session_save(
            actor=request.user, session=obj, cleaned=form.cleaned_data, changed=set(form.changed_data)
        )

    def get_search_results(self, request, queryset, search_term):
        # The attendance inline on a booking looks sessions up: keep that cheap.
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return queryset.select_related("event"), may_have_duplicates
