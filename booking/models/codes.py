"""Reference vocabularies, loaded from the region's data file (booking/data/*.json).

Codes are primary keys, so that the API, feeds and filters name them directly ("0-5", "fit",
"hearing_loop") and a join is enough to filter on them on SQLite as on PostgreSQL.
"""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class CodedName(models.Model):
    name_sv = models.CharField(_("namn (svenska)"), max_length=120)
    name_en = models.CharField(_("namn (engelska)"), max_length=120, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("ordning"), default=0)

    class Meta:
        abstract = True
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if (get_language() or "sv").startswith("en") and self.name_en:
            return self.name_en
        return self.name_sv


class Audience(CodedName):
    """Age band: 0-5, 6-9, 10-12, 13-17, adults, older_adults."""

    code = models.CharField(_("kod"), max_length=20, primary_key=True)
    min_age = models.PositiveSmallIntegerField(_("från ålder"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("till ålder"), null=True, blank=True)

    class Meta(CodedName.Meta):
        verbose_name = _("målgrupp (ålder)")
        verbose_name_plural = _("målgrupper (ålder)")

    @property
    def is_children(self) -> bool:
        return self.max_age is not None and self.max_age < 18


class Language(CodedName):
    """A language by BCP 47 tag. Sign language is a language; lättläst is not (it is a flag)."""

    class Kind(models.TextChoices):
        NATIONAL_MINORITY = "national_minority", _("nationellt minoritetsspråk")
        SIGN = "sign_language", _("teckenspråk")
        OTHER = "other", _("övrigt")

    tag = models.CharField(_("språktagg (BCP 47)"), max_length=35, primary_key=True)
    kind = models.CharField(_("typ"), max_length=20, choices=Kind.choices, default=Kind.OTHER)

    class Meta(CodedName.Meta):
        verbose_name = _("språk")
        verbose_name_plural = _("språk")

    @property
    def is_national_minority(self) -> bool:
        return self.kind == self.Kind.NATIONAL_MINORITY


class PriorityGroup(CodedName):
    """The region's priority groups (bibliotekslagen and the region's own list)."""

    code = models.CharField(_("kod"), max_length=40, primary_key=True)
    law = models.CharField(_("grund"), max_length=120, blank=True)
    sensitive = models.BooleanField(
        _("känslig i statistik"),
        default=False,
        help_text=_("Celler under fem undertrycks i statistiken."),
    )

    class Meta(CodedName.Meta):
        verbose_name = _("prioriterad grupp")
        verbose_name_plural = _("prioriterade grupper")


class VenueFeature(CodedName):
    """What a room offers: step-free entrance, hearing loop, ..."""

    code = models.CharField(_("kod"), max_length=40, primary_key=True)

    class Meta(CodedName.Meta):
        verbose_name = _("tillgänglighet i lokalen")
        verbose_name_plural = _("tillgänglighet i lokaler")


class AccessibilityNeed(CodedName):
    """A participant's need, in the five groups of Swedish accessibility inventories."""

    class Group(models.TextChoices):
        MOVING = "moving", _("Röra sig")
        HEARING = "hearing", _("Höra")
        SEEING = "seeing", _("Se")
        SUBSTANCES = "substances", _("Tåla ämnen")
        INFORMATION = "information", _("Förstå information")

    code = models.CharField(_("kod"), max_length=40, primary_key=True)
    group = models.CharField(_("grupp"), max_length=20, choices=Group.choices)
    prepared_by_staff = models.BooleanField(
        _("kräver förberedelse"),
        default=False,
        help_text=_("Personalen meddelas när en bokning ber om detta."),
    )
    met_by = models.ManyToManyField(
        VenueFeature, blank=True, related_name="meets_needs", verbose_name=_("tillgodoses av")
    )

    class Meta(CodedName.Meta):
        verbose_name = _("tillgänglighetsbehov")
        verbose_name_plural = _("tillgänglighetsbehov")


class Genre(CodedName):
    code = models.SlugField(_("kod"), max_length=40, primary_key=True)

    class Meta(CodedName.Meta):
        verbose_name = _("genre")
        verbose_name_plural = _("genrer")
