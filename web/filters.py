"""The listing's filters: booking.filters.EventFilter, with the two things a plain HTML form
needs that an API does not: dates picked as dates (not ISO timestamps) and easy-to-read as a
checkbox that filters only when ticked."""

from datetime import datetime, time, timedelta

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking.filters import EventFilter
from booking.models import Event, Language


class PublicEventFilter(EventFilter):
    refuse_blank = False  # the form's "Alla" sends ?kind= : an empty choice means every one
    starts_after = django_filters.DateFilter(
        method="filter_from_date",
        label=_("Från och med"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    starts_before = django_filters.DateFilter(
        method="filter_to_date",
        label=_("Till och med"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    easy_to_read = django_filters.BooleanFilter(
        method="filter_easy_to_read", label=_("Bara lättläst"), widget=forms.CheckboxInput
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.form.fields
        for name in (
            "municipality",
            "library",
            "kind",
            "audience",
            "language",
            "accessibility",
            "priority_group",
        ):
            fields[name].empty_label = _("Alla")
            fields[name].required = False
        # Re-set so that the choice iterator (bound when the field was copied) shows "Alla".
        fields["kind"].choices = Event.Kind.choices
        fields["q"].widget.attrs.update({"type": "search"})
        fields["library"].label_from_instance = lambda library: (
            f"{library.name} ({library.municipality.name})"
        )
        fields["library"].queryset = fields["library"].queryset.select_related("municipality")

    def language_groups(self):
        """The language choices grouped: national minority languages first, named in the page's
        language (Swedish names on the Swedish page), then sign languages, then the rest."""
        labels = dict(Language.Kind.choices)
        order = [Language.Kind.NATIONAL_MINORITY, Language.Kind.SIGN, Language.Kind.OTHER]
        by_kind: dict[str, list] = {kind: [] for kind in order}
        for language in Language.objects.all():
            by_kind.setdefault(language.kind, []).append(language)
        return [(labels[kind], by_kind[kind]) for kind in order if by_kind[kind]]

    @staticmethod
    def _local_midnight(day) -> datetime:
        return timezone.make_aware(datetime.combine(day, time.min))

    def filter_from_date(self, queryset, name, value):
        return self.filter_starts_after(queryset, name, self._local_midnight(value))

    def filter_to_date(self, queryset, name, value):
        # "Till och med 14 mars" includes the whole of the 14th.
        return self.filter_starts_before(queryset, name, self._local_midnight(value + timedelta(days=1)))

    def filter_easy_to_read(self, queryset, name, value):
        return queryset.filter(easy_to_read=True) if value else queryset
