"""The event filters, shared by the API list, the calendar feeds and the public listing, so
that all three accept the same parameters and refuse the same bad values.

Call `events_filtered(params, user=...)`: it checks every value (a bad one raises
InvalidFilter, a 400 `invalid_filter` with one error per parameter) and returns the events
that listing shows, ordered by their next session. Each filter takes one value; all the
filters given must match. `status` and `visibility` (staff) take comma-separated values.
"""

from datetime import UTC, timedelta

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField

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


class BoundedIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 time whose offset is a real one (under ±16:00: PostgreSQL refuses more, and
    no place on earth is further than ±14:00), given on to the database in UTC."""

    MAX_OFFSET = timedelta(hours=16)

    def to_python(self, value):
        value = super().to_python(value)
        if value is not None and value.utcoffset() is not None:
            if abs(value.utcoffset()) >= self.MAX_OFFSET:
                raise ValidationError(
                    _("Tidszonens förskjutning måste vara mindre än 16 timmar."), code="invalid"
                )
            value = value.astimezone(UTC)
        return value


class BoundedIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = BoundedIsoDateTimeField


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
    starts_after = BoundedIsoDateTimeFilter(method="filter_starts_after", label=_("Från"))
    starts_before = BoundedIsoDateTimeFilter(method="filter_starts_before", label=_("Till"))
    q = django_filters.CharFilter(method="filter_text", max_length=100, label=_("Sök"))
    # Staff only (see booking.selectors.events.event_list): applied to the base queryset.
    status = ChoiceInFilter(choices=Event.Status.choices, method="filter_noop", label=_("Status"))
    visibility = ChoiceInFilter(choices=Event.Visibility.choices, method="filter_noop", label=_("Synlighet"))

    # A parameter given without a value (?kind=) is refused, not silently ignored: a client
    # that sends one meant something. The HTML listing drops empty parameters first (its "Alla").
    refuse_blank = True

    class Meta:
        model = Event
        fields: list[str] = []

    def is_valid(self):
        valid = super().is_valid()
        if self.refuse_blank and self.is_bound:
            for name in self.filters:
                if name in self.data and not "".join(self.data.getlist(name)).strip():
                    self.form.add_error(
                        name, ValidationError(_("Ange ett värde, eller utelämna parametern."), code="blank")
                    )
                    valid = False
        return valid

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
