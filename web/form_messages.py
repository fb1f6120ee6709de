"""The booking forms' own words for wrong numbers, instead of Django's generic ones
("Kontrollera att detta värde är större än eller lika med 1.")."""

from django.utils.translation import gettext_lazy as _

SEATS_MESSAGES = {
    "required": _("Ange hur många platser du vill boka."),
    "invalid": _("Ange antalet platser med siffror, till exempel 2."),
    "min_value": _("Ange minst 1 plats."),
    "max_value": _("Så många platser går inte att boka. Ange högst %(limit_value)s."),
}
COMPANION_MESSAGES = {
    "invalid": _("Ange antalet ledsagare med siffror, till exempel 1."),
    "min_value": _("Ange 0 ledsagare eller fler."),
    "max_value": _("Så många ledsagare går inte att boka. Ange högst %(limit_value)s."),
}
CHILDREN_MESSAGES = {
    "invalid": _("Ange antalet barn med siffror, till exempel 1."),
    "min_value": _("Ange 0 barn eller fler."),
    "max_value": _("Så många barn går inte att boka. Ange högst %(limit_value)s."),
}
NAME_MESSAGES = {"required": _("Ange ditt namn, så att biblioteket vet vem som har bokat.")}
