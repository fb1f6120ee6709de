"""The creator's own profile form (the fields of booking.services.creators)."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from booking.models import Audience, Creator, Genre, Language

UNAVAILABLE_HELP = _(
    "En period per rad: 2027-03-01 2027-03-14 (från och med, till och med), gärna med en anteckning efter."
)


class CreatorProfileForm(forms.Form):
    bio = forms.CharField(label=_("Presentation"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    languages = forms.ModelMultipleChoiceField(
        label=_("Språk"), queryset=Language.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    genres = forms.ModelMultipleChoiceField(
        label=_("Genrer"), queryset=Genre.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    audiences = forms.ModelMultipleChoiceField(
        label=_("Målgrupper"),
        queryset=Audience.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    fee_sek = forms.IntegerField(label=_("Arvode (kr)"), min_value=0, max_value=10_000_000, required=False)
    fee_note = forms.CharField(label=_("Om arvodet"), max_length=200, required=False)
    vat_registered = forms.BooleanField(label=_("Momsregistrerad"), required=False)
    unavailable = forms.CharField(
        label=_("Datum då du inte kan"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=UNAVAILABLE_HELP,
    )

    @staticmethod
    def initial_for(creator: Creator) -> dict:
        return {
            "bio": creator.bio,
            "languages": list(creator.languages.all()),
            "genres": list(creator.genres.all()),
            "audiences": list(creator.audiences.all()),
            "fee_sek": creator.fee_sek,
            "fee_note": creator.fee_note,
            "vat_registered": creator.vat_registered,
            "unavailable": "\n".join(
                f"{p.start_date:%Y-%m-%d} {p.end_date:%Y-%m-%d} {p.note}".strip()
                for p in creator.unavailable.all()
            ),
        }

    def clean_unavailable(self):
        periods = []
        for number, line in enumerate((self.cleaned_data["unavailable"] or "").splitlines(), start=1):
            parts = line.split(maxsplit=2)
            if not parts:
                continue
            try:
                start = datetime.date.fromisoformat(parts[0])
                end = datetime.date.fromisoformat(parts[1]) if len(parts) > 1 else start
            except ValueError as error:
                raise forms.ValidationError(
                    _("Rad %(n)s: skriv datumen som 2027-03-01 2027-03-14.") % {"n": number}
                ) from error
            periods.append(
                {"start_date": start, "end_date": end, "note": parts[2][:200] if len(parts) > 2 else ""}
            )
        return periods
