"""The event filters, shared by the API list, the calendar feeds and the public listing, so
that all three accept the same parameters and refuse the same bad values.

Call `events_filtered(params, user=...)`: it checks every value (a bad one raises
InvalidFilter, a 400 `invalid_filter` with one error per parameter) and returns the events
that listing shows, ordered by their next session. Each filter takes one value; all the
filters given must match. `status` and `visibility` (staff) take comma-separated values.
"""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from booking.errors import InvalidFilter
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


class StrictBooleanField(forms.TypedChoiceField):
    """true/false (also 1/0, yes/no); anything else is an error, not silently ignored."""

    TRUE = ("true", "1", "yes", "ja")
    FALSE = ("false", "0", "no", "nej")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [(v, v) for v in (*self.TRUE, *self.FALSE)])
        kwargs.setdefault("coerce", lambda value: value in self.TRUE)
        kwargs.setdefault("empty_value", None)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        return super().to_python(value).strip().lower() if value not in self.empty_values else ""


class StrictBooleanFilter(django_filters.Filter):
    field_class = StrictBooleanField


class ChoiceInFilter(django_filters.BaseInFilter, django_filters.ChoiceFilter):
    """Comma-separated choices: ?status=draft,published."""


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
    easy_to_read = StrictBooleanFilter(label=_("Lättläst"))
    starts_after = django_filters.IsoDateTimeFilter(method="filter_starts_after", label=_("Från"))
    starts_before = django_filters.IsoDateTimeFilter(method="filter_starts_before", label=_("Till"))
    q = django_filters.CharFilter(method="filter_text", max_length=100, label=_("Sök"))
    # Staff only (see booking.selectors.events.event_list): applied to the base queryset.
    status = ChoiceInFilter(choices=Event.Status.choices, method="filter_noop", label=_("Status"))
    visibility = ChoiceInFilter(choices=Event.Visibility.choices, method="filter_noop", label=_("Synlighet"))

    class Meta:
        model = Event
        fields: list[str] = []

    def filter_noop(self, queryset, name, value):
        return queryset

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


def filter_errors(filterset: django_filters.FilterSet) -> list[dict]:
    """The form's errors as problem+json entries, one per parameter."""
    out = []
    for name, errors in filterset.form.errors.as_data().items():
        for error in errors:
            message = error.message % error.params if error.params else error.message
            out.append(
                {
                    "pointer": f"/{name}",
                    "parameter": name,
                    "code": error.code or "invalid",
                    "detail": str(message),
                }
            )
    return out


def events_filtered(params, *, user=None, now=None) -> QuerySet:
    """Validate `params` (a QueryDict) and return the filtered events (without prefetches:
    wrap the page in booking.selectors.events.events_with_sessions)."""
    from booking.selectors.events import event_list

    filterset = EventFilter(params, queryset=Event.objects.none())
    if not filterset.is_valid():
        raise InvalidFilter(errors=filter_errors(filterset))
    data = filterset.form.cleaned_data
    base = event_list(
        user=user, statuses=data.get("status") or None, visibilities=data.get("visibility") or None, now=now
    )
    return filterset.filter_queryset(base)  # the form is already clean: no second validation
