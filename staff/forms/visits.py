"""Author visits: the request and its transitions; inviting staff."""

from django import forms
from django.utils.translation import gettext_lazy as _

from booking import dates
from booking.models import (
    AccessibilityNeed,
    Audience,
    Creator,
    Genre,
    Language,
    Library,
    Room,
    StaffRole,
    VisitRequest,
)
from staff.forms.common import _datetime_field
from staff.visit_forms import ApproveForm, OfferForm  # the transitions' forms with money or a creator


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
