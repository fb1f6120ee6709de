"""Template filters for the public pages: dates the way people write them.

Swedish: "lördag 14 mars 2026 kl. 14.00"; English: "Saturday 14 March 2026, 2:00 pm".
Times are shown in the site's zone (Europe/Stockholm), whatever zone they are stored in.
"""

from django import template
from django.utils import dateformat, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


def _english() -> bool:
    return (get_language() or "sv").startswith("en")


def _time(value) -> str:
    if _english():
        # "2:00 pm": Django's "a" gives "p.m."; the shorter form reads better on a card.
        return dateformat.format(value, "g:i ") + ("am" if value.hour < 12 else "pm")
    return dateformat.format(value, "H.i")


@register.filter
def local_date(value) -> str:
    """lördag 14 mars 2026 / Saturday 14 March 2026"""
    if not value:
        return ""
    return dateformat.format(timezone.localtime(value), "l j F Y")


@register.filter
def local_time(value) -> str:
    if not value:
        return ""
    return _time(timezone.localtime(value))


@register.filter
def local_datetime(value) -> str:
    """lördag 14 mars 2026 kl. 14.00 / Saturday 14 March 2026, 2:00 pm"""
    if not value:
        return ""
    local = timezone.localtime(value)
    return _("%(date)s kl. %(time)s") % {"date": local_date(local), "time": _time(local)}


@register.simple_tag
def session_when(start, end) -> str:
    """lördag 14 mars 2026 kl. 14.00–15.30 (the end's date too when it ends on another day)."""
    start_local, end_local = timezone.localtime(start), timezone.localtime(end)
    if start_local.date() == end_local.date():
        return _("%(date)s kl. %(start)s–%(end)s") % {
            "date": local_date(start_local),
            "start": _time(start_local),
            "end": _time(end_local),
        }
    return f"{local_datetime(start_local)} – {local_datetime(end_local)}"


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
