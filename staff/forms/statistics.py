"""The statistics page."""

from django import forms
from django.utils.translation import gettext_lazy as _

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
