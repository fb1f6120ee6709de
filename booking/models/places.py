"""Region → Municipality (SCB code) → Library → Room, and travel times between municipalities."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """One deployment serves one region; its facts are data, loaded from a file."""

    name = models.CharField(_("namn"), max_length=120)
    unit_name = models.CharField(_("regional biblioteksverksamhet"), max_length=120, blank=True)
    county_code = models.CharField(_("länskod"), max_length=2, unique=True)
    default_travel_minutes = models.PositiveSmallIntegerField(
        _("restid mellan kommuner (standard, minuter)"),
        default=60,
        help_text=_("Gäller där tabellen över restider saknar ett par."),
    )
    same_municipality_travel_minutes = models.PositiveSmallIntegerField(
        _("restid inom kommunen (minuter)"), default=20
    )
    double_priority_note = models.TextField(_("om dubbelt prioriterade grupper"), blank=True)
    population_date = models.DateField(_("folkmängd per"), null=True, blank=True)
    population_source = models.TextField(_("källa för folkmängd"), blank=True)
    # The national library statistics' activity types and the mapping from our event kinds
    # (the data file's "statistics" section: activity_types.types, kind_to_activity_type).
    activity_types = models.JSONField(_("aktivitetstyper (biblioteksstatistiken)"), default=list, blank=True)
    kind_to_activity_type = models.JSONField(_("evenemangstyp till aktivitetstyp"), default=dict, blank=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regioner")

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    code = models.CharField(_("kommunkod (SCB)"), max_length=4, primary_key=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="municipalities", verbose_name=_("region")
    )
    name = models.CharField(_("namn"), max_length=80)
    population = models.PositiveIntegerField(
        _("folkmängd"),
        null=True,
        blank=True,
        help_text=_("Från regionens data (SCB); för räckvidd per 1 000."),
    )

    class Meta:
        verbose_name = _("kommun")
        verbose_name_plural = _("kommuner")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{4}$"), name="municipality_code_4_digits")
        ]

    def __str__(self) -> str:
        return self.name


class TravelTime(models.Model):
    """Travel time between two municipalities, used for a creator's visits on the same day.

    Looked up in both directions; pairs not in the table use the region's default.
    """

    from_municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="+", verbose_name=_("från")
    )
    to_municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="+", verbose_name=_("till")
    )
    minutes = models.PositiveSmallIntegerField(_("minuter"))

    class Meta:
        verbose_name = _("restid")
        verbose_name_plural = _("restider")
        constraints = [
            models.UniqueConstraint(
                fields=["from_municipality", "to_municipality"], name="travel_time_unique_pair"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_municipality} – {self.to_municipality}: {self.minutes} min"


class Library(models.Model):
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="libraries", verbose_name=_("kommun")
    )
    name = models.CharField(_("namn"), max_length=120)
    is_main_library = models.BooleanField(_("huvudbibliotek"), default=False)
    is_mobile = models.BooleanField(_("bokbuss"), default=False)
    # Most street addresses are not in the reference data. Blank means unknown, and the
    # pages say "adress saknas" rather than invent one.
    street_address = models.CharField(_("gatuadress"), max_length=200, blank=True)
    postal_code = models.CharField(_("postnummer"), max_length=10, blank=True)
    city = models.CharField(_("ort"), max_length=80, blank=True)
    address_verified = models.BooleanField(
        _("adressen är kontrollerad"),
        default=False,
        help_text=_("Ej kontrollerade uppgifter visas som sådana."),
    )
    # Who confirmed the address and when: a save of the address by the library's own staff,
    # or their "confirm" (booking.services.libraries). Blank while nobody has.
    address_verified_at = models.DateTimeField(_("adressen kontrollerad"), null=True, blank=True)
    address_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("adressen kontrollerad av"),
    )
    email = models.EmailField(_("e-post"), blank=True)
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    website = models.URLField(_("webbplats"), blank=True)
    opening_hours_url = models.URLField(_("länk till öppettider"), blank=True)
    accessibility_description = models.TextField(
        _("tillgänglighet i ord"),
        blank=True,
        help_text=_("Entré, hiss, toalett, hörslinga, parkering, tyst rum."),
    )
    contact_person = models.CharField(_("kontaktperson"), max_length=120, blank=True)
    latitude = models.DecimalField(_("latitud"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitud"), max_digits=9, decimal_places=6, null=True, blank=True)
    is_active = models.BooleanField(_("aktiv"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bibliotek")
        verbose_name_plural = _("bibliotek")
        ordering = ["municipality__name", "-is_main_library", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"], name="library_unique_name_in_municipality"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def address_known(self) -> bool:
        return bool(self.street_address)


class Room(models.Model):
    library = models.ForeignKey(
        Library, on_delete=models.CASCADE, related_name="rooms", verbose_name=_("bibliotek")
    )
    name = models.CharField(_("namn"), max_length=120)
    capacity = models.PositiveIntegerField(_("antal platser"))
    accessibility_features = models.ManyToManyField(
        "booking.VenueFeature", blank=True, related_name="rooms", verbose_name=_("tillgänglighet")
    )
    accessibility_url = models.URLField(
        _("länk till tillgänglighetsdatabas"),
        blank=True,
        help_text=_("Lokalens post i en tillgänglighetsdatabas."),
    )
    accessibility_description = models.TextField(_("tillgänglighet i ord"), blank=True)
    is_active = models.BooleanField(_("aktiv"), default=True)
    # In the calendar feeds' fingerprint: a renamed room changes their LOCATION.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("lokal")
        verbose_name_plural = _("lokaler")
        ordering = ["library", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gt=0), name="room_capacity_positive"),
            models.UniqueConstraint(fields=["library", "name"], name="room_unique_name_in_library"),
        ]

    def __str__(self) -> str:
        return f"{self.library.name} – {self.name}"


__all__ = ["Library", "Municipality", "Region", "Room", "TravelTime"]
