"""The event filters, shared by the API list, the calendar feeds and the public listing, so
that all three accept the same parameters and refuse the same bad values."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from booking.models import (
    Audience,
    Event,
    Language,
    Library,
    Municipality,
    PriorityGroup,
    Session,
    VenueFeature,
)


class EventFilter(django_filters.FilterSet):
    municipality = django_filters.ModelChoiceFilter(
        field_name="library__municipality", queryset=Municipality.objects.all(), label=_("Kommun")
    )
    library = django_filters.ModelChoiceFilter(queryset=Library.objects.all(), label=_("Bibliotek"))
    kind = django_filters.ChoiceFilter(choices=Event.Kind.choices, label=_("Typ"))
    audience = django_filters.ModelChoiceFilter(
        field_name="audiences", queryset=Audience.objects.all(), label=_("Målgrupp")
    )
    language = django_filters.ModelChoiceFilter(
        field_name="languages", queryset=Language.objects.all(), label=_("Språk")
    )
    accessibility = django_filters.ModelChoiceFilter(
        field_name="accessibility_features", queryset=VenueFeature.objects.all(), label=_("Tillgänglighet")
    )
    priority_group = django_filters.ModelChoiceFilter(
        field_name="priority_groups", queryset=PriorityGroup.objects.all(), label=_("Prioriterad grupp")
    )
    easy_to_read = django_filters.BooleanFilter(label=_("Lättläst"))
    starts_after = django_filters.IsoDateTimeFilter(method="filter_starts_after", label=_("Från"))
    starts_before = django_filters.IsoDateTimeFilter(method="filter_starts_before", label=_("Till"))
    q = django_filters.CharFilter(method="filter_text", max_length=100, label=_("Sök"))

    class Meta:
        model = Event
        fields: list[str] = []

    def filter_starts_after(self, queryset, name, value):
        return queryset.filter(
            Exists(
                Session.objects.filter(
                    event=OuterRef("pk"), start__gte=value, status=Session.Status.SCHEDULED
                )
            )
        )

    def filter_starts_before(self, queryset, name, value):
        return queryset.filter(
            Exists(
                Session.objects.filter(event=OuterRef("pk"), start__lt=value, status=Session.Status.SCHEDULED)
            )
        )

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(title_sv__icontains=value)
            | Q(title_en__icontains=value)
            | Q(description__icontains=value)
            | Q(library__name__icontains=value)
        )
