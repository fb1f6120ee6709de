"""Creators (authors, workshop and circle leaders) and staff roles."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Creator(models.Model):
    class Role(models.TextChoices):
        AUTHOR = "author", _("Författare")
        ILLUSTRATOR = "illustrator", _("Illustratör")
        POET = "poet", _("Poet")
        STORYTELLER = "storyteller", _("Berättare")
        WORKSHOP_LEADER = "workshop_leader", _("Skrivpedagog")
        CIRCLE_LEADER = "circle_leader", _("Cirkelledare")
        TRANSLATOR = "translator", _("Översättare")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="creator_profile",
        verbose_name=_("användarkonto"),
    )
    name = models.CharField(_("namn"), max_length=120)
    roles = models.JSONField(
        _("roller"), default=list, blank=True, help_text=_("Koder: author, illustrator, …")
    )
    bio = models.TextField(_("presentation"), blank=True)
    bio_language = models.CharField(_("presentationens språk"), max_length=35, default="sv")
    languages = models.ManyToManyField(
        "booking.Language", blank=True, related_name="creators", verbose_name=_("språk")
    )
    genres = models.ManyToManyField(
        "booking.Genre", blank=True, related_name="creators", verbose_name=_("genrer")
    )
    audiences = models.ManyToManyField(
        "booking.Audience", blank=True, related_name="creators", verbose_name=_("målgrupper")
    )
    home_municipality = models.ForeignKey(
        "booking.Municipality",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="creators",
        verbose_name=_("hemkommun"),
    )
    website = models.URLField(_("webbplats"), blank=True)
    # Staff only: fee expectations and contact details.
    fee_sek = models.PositiveIntegerField(_("arvode (kr)"), null=True, blank=True)
    fee_note = models.CharField(_("om arvodet"), max_length=200, blank=True)
    f_tax = models.BooleanField(_("F-skatt"), default=False)
    vat_registered = models.BooleanField(_("momsregistrerad"), default=False)
    email = models.EmailField(_("e-post"), blank=True)
    phone = models.CharField(_("telefon"), max_length=20, blank=True)
    is_active = models.BooleanField(_("aktiv"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("kulturskapare")
        verbose_name_plural = _("kulturskapare")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CreatorUnavailability(models.Model):
    creator = models.ForeignKey(
        Creator, on_delete=models.CASCADE, related_name="unavailable", verbose_name=_("kulturskapare")
    )
    start_date = models.DateField(_("från och med"))
    end_date = models.DateField(_("till och med"))
    note = models.CharField(_("anteckning"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("otillgänglig period")
        verbose_name_plural = _("otillgängliga perioder")
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="unavailability_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.creator}: {self.start_date}–{self.end_date}"


class StaffRole(models.Model):
    """What a user may do: organiser of the region, staff of one library, or a creator."""

    class Role(models.TextChoices):
        REGIONAL_ORGANISER = "regional_organiser", _("Regional samordnare")
        LIBRARY_STAFF = "library_staff", _("Bibliotekspersonal")
        CREATOR = "creator", _("Kulturskapare")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_roles",
        verbose_name=_("användare"),
    )
    role = models.CharField(_("roll"), max_length=30, choices=Role.choices)
    library = models.ForeignKey(
        "booking.Library",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="staff_roles",
        verbose_name=_("bibliotek"),
    )
    creator = models.ForeignKey(
        Creator,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="staff_roles",
        verbose_name=_("kulturskapare"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("roll")
        verbose_name_plural = _("roller")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="library_staff") | Q(library__isnull=False),
                name="staff_role_library_needs_library",
            ),
            models.CheckConstraint(
                condition=~Q(role="creator") | Q(creator__isnull=False),
                name="staff_role_creator_needs_creator",
            ),
            models.UniqueConstraint(fields=["user", "role", "library", "creator"], name="staff_role_unique"),
        ]

    def __str__(self) -> str:
        target = self.library or self.creator or ""
        return f"{self.user} – {self.get_role_display()} {target}".strip()
