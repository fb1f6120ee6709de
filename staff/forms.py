"""Forms of the staff workspace. Field names follow the API's where there is one."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from booking import dates
from booking.models import (
    AccessibilityNeed,
    Audience,
    Booking,
    Creator,
    Genre,
    Language,
    Library,
    Room,
    StaffRole,
    VisitRequest,
)
from staff.visit_forms import ApproveForm, OfferForm  # the transitions' forms with money or a creator

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _datetime_field(label, required=False):
    return forms.DateTimeField(
        label=label, required=required, widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"]
    )


class StaffBookingForm(forms.Form):
    """A booking taken on someone's behalf (a phone call, a walk-in)."""

    name = forms.CharField(label=_("Namn"), max_length=120)
    email = forms.CharField(label=_("E-post"), required=False, max_length=254)
    phone = forms.CharField(label=_("Mobilnummer"), required=False, max_length=30)
    sms_consent = forms.BooleanField(label=_("Vill ha påminnelse per sms"), required=False)
    language = forms.ChoiceField(
        label=_("Språk för meddelanden"), choices=Booking.Language.choices, initial="sv"
    )
    seats = forms.IntegerField(label=_("Platser (hela sällskapet)"), min_value=1, max_value=500, initial=1)
    companion_seats = forms.IntegerField(label=_("Varav ledsagare"), min_value=0, max_value=499, initial=0)
    children = forms.IntegerField(label=_("Varav barn"), min_value=0, max_value=500, initial=0)
    accessibility_needs = forms.ModelMultipleChoiceField(
        label=_("Tillgänglighetsbehov"),
        queryset=AccessibilityNeed.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    accessibility_note = forms.CharField(
        label=_("Övrigt om behov"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    accessibility_consent = forms.BooleanField(
        label=_("Personen har samtyckt till att vi sparar behoven"), required=False
    )
    school = forms.CharField(label=_("Skola"), required=False, max_length=120)
    grade = forms.CharField(label=_("Årskurs"), required=False, max_length=20)
    allow_over_capacity = forms.BooleanField(label=_("Boka även om det är fullt"), required=False)
    staff_reason = forms.CharField(
        label=_("Skäl"), required=False, max_length=1000, help_text=_("Krävs för att boka över kapaciteten.")
    )


class MessageForm(forms.Form):
    subject = forms.CharField(label=_("Ämne (e-post)"), max_length=200)
    body = forms.CharField(
        label=_("Meddelande (e-post)"), widget=forms.Textarea(attrs={"rows": 6}), max_length=5000
    )
    sms_body = forms.CharField(
        label=_("Kort version för sms"),
        required=False,
        max_length=480,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Går bara till dem som samtyckt till sms, inte nattetid och aldrig till avregistrerade nummer."
        ),
    )


class VisitRequestForm(forms.Form):
    library = forms.ModelChoiceField(label=_("Bibliotek"), queryset=Library.objects.none())
    format = forms.ChoiceField(label=_("Format"), choices=VisitRequest.Format.choices)
    title = forms.CharField(label=_("Rubrik"), required=False, max_length=200)
    creator = forms.ModelChoiceField(
        label=_("Önskad kulturskapare"), queryset=Creator.objects.filter(is_active=True), required=False
    )
    wish_genres = forms.ModelMultipleChoiceField(
        label=_("Eller: önskade genrer"),
        queryset=Genre.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    wish_languages = forms.ModelMultipleChoiceField(
        label=_("Eller: önskade språk"), queryset=Language.objects.all(), required=False
    )
    room = forms.ModelChoiceField(
        label=_("Lokal"),
        queryset=Room.objects.none(),
        required=False,
        help_text=_("Ingen för ett digitalt besök."),
    )
    option_1_start = _datetime_field(_("Förslag 1, start"), required=True)
    option_1_end = _datetime_field(_("Förslag 1, slut"), required=True)
    option_2_start = _datetime_field(_("Förslag 2, start"))
    option_2_end = _datetime_field(_("Förslag 2, slut"))
    option_3_start = _datetime_field(_("Förslag 3, start"))
    option_3_end = _datetime_field(_("Förslag 3, slut"))
    duration_minutes = forms.IntegerField(label=_("Längd (minuter)"), min_value=5, max_value=600, initial=60)
    lessons = forms.IntegerField(label=_("Lektioner (skolbesök)"), min_value=1, max_value=8, required=False)
    audiences = forms.ModelMultipleChoiceField(
        label=_("Målgrupper"),
        queryset=Audience.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    expected_attendees = forms.IntegerField(label=_("Förväntat antal deltagare"), min_value=1, required=False)
    languages = forms.ModelMultipleChoiceField(
        label=_("Språk"), queryset=Language.objects.all(), required=False
    )
    accessibility_needs = forms.ModelMultipleChoiceField(
        label=_("Publikens tillgänglighetsbehov"),
        queryset=AccessibilityNeed.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    fee_sek = forms.IntegerField(
        label=_("Arvode (kr)"),
        min_value=0,
        required=False,
        help_text=_("Förslaget följer Författarförbundets rekommenderade minimiarvoden; ändra vid behov."),
    )
    reads_own_text = forms.BooleanField(
        label=_("Kulturskaparen läser bara egen text"),
        required=False,
        help_text=_("Då tillkommer ingen moms."),
    )
    travel_cost_sek = forms.IntegerField(label=_("Resekostnad (kr)"), min_value=0, required=False)
    cofunding_requested_sek = forms.IntegerField(
        label=_("Sökt medfinansiering (kr)"), min_value=0, required=False
    )
    publish = forms.BooleanField(label=_("Besöket blir ett publikt evenemang"), required=False, initial=True)
    notes = forms.CharField(label=_("Anteckningar"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, libraries=None, suggested_fee=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fee_sek"].initial = suggested_fee
        self.fields["library"].queryset = libraries if libraries is not None else Library.objects.none()
        self.fields["room"].queryset = Room.objects.filter(
            library__in=self.fields["library"].queryset, is_active=True
        )

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        options = []
        for index in (1, 2, 3):
            start, end = data.pop(f"option_{index}_start"), data.pop(f"option_{index}_end")
            if start and end:
                options.append({"start": start, "end": end})
        data["date_options"] = options
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Skäl"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Skäl"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class AcceptForm(forms.Form):
    date_option = forms.ChoiceField(label=_("Datum"), widget=forms.RadioSelect)

    def __init__(self, *args, visit_request=None, **kwargs):
        super().__init__(*args, **kwargs)
        options = visit_request.date_options.all() if visit_request else []
        self.fields["date_option"].choices = [(o.pk, dates.format_range(o.start, o.end)) for o in options]


class RefuseForm(forms.Form):
    note = forms.CharField(
        label=_("Hälsning"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class CompleteForm(forms.Form):
    attendees = forms.IntegerField(label=_("Antal deltagare"), min_value=0)
    evaluation = forms.CharField(
        label=_("Utvärdering"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


TRANSITION_FORMS = {
    "submit": forms.Form,
    "approve": ApproveForm,
    "decline": ReasonForm,
    "offer": OfferForm,
    "accept": AcceptForm,
    "refuse": RefuseForm,
    "withdraw": OptionalReasonForm,
    "cancel": ReasonForm,
    "complete": CompleteForm,
}


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-post"))
    first_name = forms.CharField(label=_("Förnamn"), required=False, max_length=150)
    last_name = forms.CharField(label=_("Efternamn"), required=False, max_length=150)
    role = forms.ChoiceField(label=_("Roll"), choices=StaffRole.Role.choices)
    library = forms.ModelChoiceField(
        label=_("Bibliotek"), queryset=Library.objects.filter(is_active=True), required=False
    )
    creator = forms.ModelChoiceField(
        label=_("Kulturskapare"), queryset=Creator.objects.filter(is_active=True), required=False
    )


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


STATISTICS_GROUPS = [
    ("municipality", _("Kommun")),
    ("library", _("Bibliotek")),
    ("kind", _("Typ av evenemang")),
    ("audience", _("Målgrupp")),
    ("priority_group", _("Prioriterad grupp")),
    ("language", _("Språk")),
    ("month", _("Månad")),
]


class StatisticsForm(forms.Form):
    """The statistics page's choice: a year or a period, and a grouping. The rules of the
    period are the API's (booking.api.statistics.StatisticsQuery), checked there."""

    mode = forms.ChoiceField(
        label=_("Tidsperiod"),
        choices=[("year", _("Ett år")), ("period", _("Egen period"))],
        initial="year",
        widget=forms.RadioSelect,
        required=False,
    )
    year = forms.IntegerField(label=_("År"), min_value=2000, max_value=2100, required=False)
    period_start = forms.DateField(
        label=_("Från och med"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(
        label=_("Till och med"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    group_by = forms.ChoiceField(
        label=_("Dela upp efter"), choices=STATISTICS_GROUPS, initial="municipality", required=False
    )


class ReportYearForm(forms.Form):
    year = forms.IntegerField(label=_("År"), min_value=2000, max_value=2100, required=False)
