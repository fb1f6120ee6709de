"""Forms for staff acting on one booking: promote, cancel, change on the person's behalf."""

from django import forms
from django.utils.translation import gettext_lazy as _

from booking.models import AccessibilityNeed, Booking


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Skäl"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class BookingEditForm(forms.Form):
    """What the person asked for on the phone; the service decides what may change."""

    name = forms.CharField(label=_("Namn"), max_length=120)
    email = forms.CharField(label=_("E-post"), required=False, max_length=254)
    phone = forms.CharField(label=_("Mobilnummer"), required=False, max_length=30)
    sms_consent = forms.BooleanField(label=_("Vill ha påminnelse per sms"), required=False)
    language = forms.ChoiceField(label=_("Språk för meddelanden"), choices=Booking.Language.choices)
    seats = forms.IntegerField(label=_("Platser (hela sällskapet)"), min_value=1, max_value=500)
    companion_seats = forms.IntegerField(label=_("Varav ledsagare"), min_value=0, max_value=499)
    children = forms.IntegerField(label=_("Varav barn"), min_value=0, max_value=500)
    accessibility_needs = forms.ModelMultipleChoiceField(
        label=_("Tillgänglighetsbehov"),
        queryset=AccessibilityNeed.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    accessibility_note = forms.CharField(
        label=_("Övrigt om behov"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    accessibility_consent = forms.BooleanField(
        label=_("Personen har samtyckt till att vi sparar behoven"), required=False
    )
    reason = forms.CharField(label=_("Skäl"), required=False, max_length=1000)

    @classmethod
    def initial_for(cls, booking: Booking) -> dict:
        request = getattr(booking, "accessibility", None)
        return {
            "name": booking.name,
            "email": booking.email,
            "phone": booking.phone,
            "sms_consent": booking.sms_consent,
            "language": booking.language,
            "seats": booking.seats,
            "companion_seats": booking.companion_seats,
            "children": booking.children,
            "accessibility_needs": list(request.needs.all()) if request else [],
            "accessibility_note": request.note if request else "",
            "accessibility_consent": bool(request),
        }
