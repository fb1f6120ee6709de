"""The event editor."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from booking.models import (
    Audience,
    Creator,
    Language,
    Library,
    Room,
)
from staff.forms.common import _datetime_field


class EventForm(forms.Form):
    """An event with one session, or a reading circle's series (weekly or every other week,
    a count or an end date, exceptions). New events only choose the schedule; an existing
    event's sessions are moved one by one."""

    FREQUENCIES = [("", _("Ett enstaka tillfälle")), ("1", _("Varje vecka")), ("2", _("Varannan vecka"))]

    kind = forms.ChoiceField(label=_("Typ"), choices=[])
    title = forms.CharField(label=_("Titel"), max_length=200)
    description = forms.CharField(
        label=_("Beskrivning"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    content_language = forms.CharField(label=_("Textens språk (språkkod)"), max_length=35, initial="sv")
    sms_title = forms.CharField(label=_("Kort titel för sms"), max_length=40, required=False)
    library = forms.ModelChoiceField(label=_("Bibliotek"), queryset=Library.objects.none())
    room = forms.ModelChoiceField(label=_("Lokal"), queryset=Room.objects.none(), required=False)
    capacity = forms.IntegerField(label=_("Antal platser"), min_value=1)
    visibility = forms.ChoiceField(label=_("Synlighet"), choices=[])
    status = forms.ChoiceField(label=_("Status"), choices=[])
    waitlist_mode = forms.ChoiceField(label=_("Väntelista"), choices=[])
    booking_mode = forms.ChoiceField(label=_("Bokas"), choices=[])
    audiences = forms.ModelMultipleChoiceField(
        label=_("Målgrupper"),
        queryset=Audience.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.ModelMultipleChoiceField(
        label=_("Språk"), queryset=Language.objects.all(), required=False
    )
    easy_to_read = forms.BooleanField(label=_("Lättläst"), required=False)
    creators = forms.ModelMultipleChoiceField(
        label=_("Kulturskapare"),
        queryset=Creator.objects.filter(is_active=True),
        required=False,
        help_text=_(
            "Den som leder eller medverkar. En kulturskapare kan inte vara på två ställen samtidigt."
        ),
    )
    start = _datetime_field(_("Första tillfället börjar"))
    duration_minutes = forms.IntegerField(label=_("Längd (minuter)"), min_value=5, max_value=1440, initial=90)
    frequency = forms.ChoiceField(label=_("Upprepning"), choices=FREQUENCIES, required=False)
    count = forms.IntegerField(label=_("Antal tillfällen"), min_value=1, max_value=100, required=False)
    until = forms.DateField(
        label=_("Eller: sista datum"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    exceptions = forms.CharField(
        label=_("Undantag"),
        required=False,
        help_text=_("Datum då cirkeln inte träffas, ÅÅÅÅ-MM-DD, åtskilda med komma."),
    )

    def __init__(self, *args, libraries=None, editing=False, **kwargs):
        from booking.models import Event

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Event.Kind.choices
        self.fields["visibility"].choices = Event.Visibility.choices
        self.fields["status"].choices = [
            (Event.Status.DRAFT, Event.Status.DRAFT.label),
            (Event.Status.PUBLISHED, Event.Status.PUBLISHED.label),
        ]
        self.fields["waitlist_mode"].choices = Event.WaitlistMode.choices
        self.fields["booking_mode"].choices = Event.BookingMode.choices
        self.fields["library"].queryset = libraries if libraries is not None else Library.objects.none()
        current = [getattr(creator, "pk", creator) for creator in self.initial.get("creators") or ()]
        if current:  # an inactive creator already on the event stays choosable
            self.fields["creators"].queryset = Creator.objects.filter(Q(is_active=True) | Q(pk__in=current))
        self.fields["room"].queryset = Room.objects.filter(
            library__in=self.fields["library"].queryset, is_active=True
        )
        if editing:
            for name in ("library", "start", "duration_minutes", "frequency", "count", "until", "exceptions"):
                del self.fields[name]
        else:
            self.fields["start"].required = True

    def clean_exceptions(self):
        import datetime as dt

        days = []
        for part in (self.cleaned_data.get("exceptions") or "").replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            try:
                days.append(dt.date.fromisoformat(part))
            except ValueError:
                raise forms.ValidationError(
                    _("%(value)s är inget datum (ÅÅÅÅ-MM-DD).") % {"value": part}
                ) from None
        return days

    def clean(self):
        data = super().clean()
        if data.get("frequency") and not (data.get("count") or data.get("until")):
            self.add_error("count", _("Ange antal tillfällen eller ett sista datum."))
        return data

    def schedule(self) -> dict:
        """{"sessions": [...]} or {"recurrence": {...}} for event_create (local times)."""
        from datetime import datetime, timedelta

        from django.utils import timezone

        data = self.cleaned_data
        local_start = (
            timezone.make_naive(data["start"]) if timezone.is_aware(data["start"]) else data["start"]
        )
        duration = timedelta(minutes=data["duration_minutes"])
        if not data.get("frequency"):
            start = timezone.make_aware(local_start)
            return {"sessions": [{"start": start, "end": start + duration}]}
        rule = f"FREQ=WEEKLY;INTERVAL={data['frequency']}"
        rule += f";COUNT={data['count']}" if data.get("count") else f";UNTIL={data['until']:%Y%m%d}T235959"
        exdates = [datetime.combine(day, local_start.time()) for day in data.get("exceptions") or []]
        return {
            "recurrence": {"rrule": rule, "dtstart": local_start, "duration": duration, "exdates": exdates}
        }

    def event_fields(self) -> dict:
        names = (
            "kind",
            "title",
            "description",
            "content_language",
            "sms_title",
            "room",
            "capacity",
            "visibility",
            "status",
            "waitlist_mode",
            "booking_mode",
            "audiences",
            "languages",
            "easy_to_read",
            "creators",
        )
        return {name: self.cleaned_data[name] for name in names if name in self.cleaned_data}
