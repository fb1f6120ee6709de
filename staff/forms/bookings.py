"""Bookings taken on someone's behalf and messages to participants."""

from django import forms
from django.utils.translation import gettext_lazy as _

from booking.models import (
    AccessibilityNeed,
    Booking,
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
