"""The manage page's forms for needs and for moving to another session (the rules are
booking.services.booking_needs and booking_move; these check shapes only)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from booking.models import AccessibilityNeed

NOTE_MAX_LENGTH = 1000


class NeedsChangeForm(forms.Form):
    accessibility_needs = forms.MultipleChoiceField(
        label=_("Behov av tillgänglighet"), required=False, widget=forms.CheckboxSelectMultiple
    )
    accessibility_note = forms.CharField(
        label=_("Annat vi behöver veta för att du ska kunna delta"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    accessibility_consent = forms.BooleanField(
        label=_("Jag samtycker till att biblioteket sparar mina behov för det här evenemanget."),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accessibility_needs"].choices = [
            (n.code, n.name) for n in AccessibilityNeed.objects.all()
        ]
        self.fields["accessibility_needs"].error_messages["invalid_choice"] = _("Välj behov i listan.")

    def clean(self):
        data = super().clean()
        given = data.get("accessibility_needs") or (data.get("accessibility_note") or "").strip()
        if given and not data.get("accessibility_consent"):
            self.add_error(
                "accessibility_consent",
                _(
                    "Kryssa i rutan om samtycke, annars kan vi inte spara dina behov. Du kan också ta bort dem."
                ),
            )
        return data


class MoveForm(forms.Form):
    session = forms.IntegerField(
        label=_("Flytta till"),
        min_value=1,
        error_messages={"required": _("Välj ett tillfälle."), "invalid": _("Välj ett tillfälle.")},
    )
