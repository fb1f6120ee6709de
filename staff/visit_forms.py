"""Forms for the author-visit transitions that carry money or a choice of creator."""

from django import forms
from django.utils.translation import gettext_lazy as _

from booking.models import Creator


class ApproveForm(forms.Form):
    fee_sek = forms.IntegerField(
        label=_("Arvode (kr)"),
        min_value=0,
        max_value=10_000_000,
        help_text=_("Förifyllt med det rekommenderade minimiarvodet. Skriv 0 om besöket är utan arvode."),
    )
    cofunding_granted_sek = forms.IntegerField(label=_("Beviljad medfinansiering (kr)"), min_value=0)

    def __init__(self, *args, visit_request=None, suggested=None, **kwargs):
        super().__init__(*args, **kwargs)
        if visit_request is not None:
            fee = visit_request.fee_sek if visit_request.fee_sek is not None else suggested
            self.fields["fee_sek"].initial = fee


class OfferForm(forms.Form):
    creator = forms.ModelChoiceField(
        label=_("Kulturskapare"), queryset=Creator.objects.filter(is_active=True)
    )

    def __init__(self, *args, visit_request=None, **kwargs):
        super().__init__(*args, **kwargs)
        if visit_request is not None and visit_request.creator_id:
            # Start on the creator the library asked for.
            self.fields["creator"].initial = visit_request.creator_id
