"""Template filters for every page: dates in Läsrum's one style (booking.dates).

Swedish: "mån 7 dec kl. 18.00"; English: "Mon 7 Dec, 18:00". Times are shown in the site's
zone (Europe/Stockholm), whatever zone they are stored in. `when`, `when_date`, `when_time`
and `{% when_range start end %}` are the names; the older local_* names call the same.
"""

from django import template

from booking import dates

register = template.Library()


@register.filter
def when(value) -> str:
    """mån 7 dec kl. 18.00 / Mon 7 Dec, 18:00"""
    return dates.format_datetime(value)


@register.filter
def when_date(value) -> str:
    """mån 7 dec / Mon 7 Dec"""
    return dates.format_date(value)


@register.filter
def when_time(value) -> str:
    """18.00 / 18:00"""
    return dates.format_time(value)


@register.simple_tag
def when_range(start, end) -> str:
    """mån 7 dec kl. 18.00–19.30 (the end's date too when it ends on another day)."""
    return dates.format_range(start, end)


local_date = register.filter("local_date", when_date)
local_time = register.filter("local_time", when_time)
local_datetime = register.filter("local_datetime", when)
session_when = register.simple_tag(when_range, name="session_when")


# --- forms ----------------------------------------------------------------------------------
@register.simple_tag
def field_widget(field, **attrs):
    """A form field's widget tied to its help text and errors (aria-describedby), marked
    aria-invalid when it has errors. Extra attributes may be given: {% field_widget f class="x" %}."""
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-help")
    if field.errors:
        described.append(f"{field.auto_id}-error")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.field.required and not field.field.widget.is_hidden:
        attrs.setdefault("required", True)
    return field.as_widget(attrs=attrs)


@register.filter
def is_checked(value, choice) -> bool:
    """Whether `choice` is among a bound field's value(s), comparing as text."""
    if value is None:
        return False
    values = value if isinstance(value, list | tuple) else [value]
    return str(choice) in {str(v) for v in values}


FEATURE_ICONS = {
    "step_free_entrance": "wheelchair",
    "step_free_access": "wheelchair",
    "lift": "wheelchair",
    "wheelchair_spaces": "wheelchair",
    "wheelchair_space": "wheelchair",
    "accessible_toilet": "wheelchair",
    "disability_parking": "wheelchair",
    "hearing_loop": "ear",
    "captioning_screen": "ear",
    "quiet_room": "calm",
    "guide_dog_welcome": "eye",
}


@register.filter
def feature_icon(feature) -> str:
    """The icon file for a venue feature (always shown with its name in text beside it)."""
    return f"img/{FEATURE_ICONS.get(getattr(feature, 'code', ''), 'check')}.svg"
