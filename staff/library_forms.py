"""Forms of the library page: its details and its rooms. They only read what was typed; the
rules (a valid postcode, phone or web address, a room's capacity against the events that use
it) are booking.services.libraries' and booking.services.rooms', shown on the fields here."""

from django import forms
from django.utils.translation import gettext_lazy as _

from booking.models import VenueFeature


class LibraryForm(forms.Form):
    street_address = forms.CharField(label=_("Gatuadress"), required=False, max_length=200)
    postal_code = forms.CharField(
        label=_("Postnummer"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    city = forms.CharField(label=_("Ort"), required=False, max_length=80)
    email = forms.CharField(
        label=_("E-post för frågor"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        help_text=_("Visas på evenemangens sidor."),
    )
    phone = forms.CharField(
        label=_("Telefon för frågor"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        help_text=_("Skriv som det ska läsas, till exempel 016-710 10 00."),
    )
    opening_hours_url = forms.CharField(
        label=_("Länk till öppettider"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"inputmode": "url"}),
    )
    accessibility_description = forms.CharField(
        label=_("Tillgänglighet i ord"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Beskriv entrén, hissen, toaletten, hörslingan, parkeringen och om det finns ett tyst rum."
        ),
    )

    ADDRESS = ("street_address", "postal_code", "city")

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "address": {name: data.get(name, "") for name in self.ADDRESS},
            "email": data.get("email", ""),
            "phone": data.get("phone", ""),
            "opening_hours_url": data.get("opening_hours_url", ""),
            "accessibility_description": data.get("accessibility_description", ""),
        }


class RoomForm(forms.Form):
    name = forms.CharField(label=_("Lokalens namn"), max_length=120)
    capacity = forms.IntegerField(label=_("Antal platser"), min_value=1, max_value=10_000)
    accessibility_features = forms.ModelMultipleChoiceField(
        label=_("Tillgänglighet i lokalen"),
        queryset=VenueFeature.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        to_field_name="code",
    )
    accessibility_description = forms.CharField(
        label=_("Om lokalens tillgänglighet i ord"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    accessibility_url = forms.CharField(
        label=_("Länk till lokalens post i en tillgänglighetsdatabas"), required=False, max_length=200
    )

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "capacity": data["capacity"],
            "accessibility_features": [feature.code for feature in data.get("accessibility_features") or []],
            "accessibility_description": data.get("accessibility_description", ""),
            "accessibility_url": data.get("accessibility_url", ""),
        }


def add_pointer_errors(form, error) -> None:
    """A service's refusal onto the field its pointer names ("/address/postal_code" is the
    field postal_code), else above the form."""
    placed = False
    for item in error.errors or []:
        parts = [part for part in (item.get("pointer") or "").split("/") if part]
        name = parts[-1] if parts else None
        if name in form.fields:
            form.add_error(name, item.get("detail") or str(error))
            placed = True
    if not placed:
        form.add_error(None, str(error))
