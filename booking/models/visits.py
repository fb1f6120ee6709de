"""Author-visit requests: a library asks, the region reviews and co-funds, a creator accepts.

draft → submitted → approved | declined; approved → offered → scheduled (accept) or back to
approved (refuse); scheduled → completed | cancelled; withdrawn from any state before scheduled.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class VisitRequest(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Utkast")
        SUBMITTED = "submitted", _("Inskickad")
        APPROVED = "approved", _("Beviljad")
        DECLINED = "declined", _("Avslagen")
        OFFERED = "offered", _("Erbjuden kulturskapare")
        SCHEDULED = "scheduled", _("Inbokad")
        COMPLETED = "completed", _("Genomförd")
        WITHDRAWN = "withdrawn", _("Återtagen")
        CANCELLED = "cancelled", _("Inställd")

    class Format(models.TextChoices):
        PUBLIC_TALK = "public_talk", _("Publikt samtal")
        SCHOOL_CLASS = "school_class", _("Skolklass")
        WORKSHOP = "workshop", _("Workshop")
        DIGITAL = "digital", _("Digitalt")

    library = models.ForeignKey(
        "booking.Library",
        on_delete=models.PROTECT,
        related_name="visit_requests",
        verbose_name=_("bibliotek"),
    )
    room = models.ForeignKey(
        "booking.Room",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visit_requests",
        verbose_name=_("lokal"),
    )
    creator = models.ForeignKey(
        "booking.Creator",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="wished_in_requests",
        verbose_name=_("önskad kulturskapare"),
    )
    wish_genres = models.ManyToManyField(
        "booking.Genre", blank=True, related_name="+", verbose_name=_("önskade genrer")
    )
    wish_languages = models.ManyToManyField(
        "booking.Language", blank=True, related_name="+", verbose_name=_("önskade språk")
    )
    wish_audiences = models.ManyToManyField(
        "booking.Audience", blank=True, related_name="+", verbose_name=_("önskade målgrupper")
    )

    title = models.CharField(_("rubrik"), max_length=200, blank=True)
    format = models.CharField(_("format"), max_length=20, choices=Format.choices)
    duration_minutes = models.PositiveSmallIntegerField(_("längd (minuter)"), default=60)
    lessons = models.PositiveSmallIntegerField(_("lektioner (skolbesök)"), null=True, blank=True)
    audiences = models.ManyToManyField(
        "booking.Audience", blank=True, related_name="visit_requests", verbose_name=_("målgrupper")
    )
    expected_attendees = models.PositiveIntegerField(_("förväntat antal deltagare"), null=True, blank=True)
    languages = models.ManyToManyField(
        "booking.Language", blank=True, related_name="visit_requests", verbose_name=_("språk")
    )
    priority_groups = models.ManyToManyField(
        "booking.PriorityGroup",
        blank=True,
        related_name="visit_requests",
        verbose_name=_("prioriterade grupper"),
    )
    accessibility_needs = models.ManyToManyField(
        "booking.AccessibilityNeed",
        blank=True,
        related_name="visit_requests",
        verbose_name=_("publikens behov"),
    )
    publish = models.BooleanField(_("blir ett publikt evenemang"), default=True)
    notes = models.TextField(_("anteckningar"), blank=True)

    # Money, in whole kronor.
    fee_sek = models.PositiveIntegerField(_("arvode (kr)"), null=True, blank=True)
    vat_applies = models.BooleanField(_("moms tillkommer"), default=True)
    # VAT is not added when the creator only reads their own text (Författarförbundet).
    reads_own_text = models.BooleanField(_("läser bara egen text"), default=False)
    travel_cost_sek = models.PositiveIntegerField(_("resekostnad (kr)"), null=True, blank=True)
    travel_claimed_sek = models.PositiveIntegerField(_("resekostnad begärd (kr)"), null=True, blank=True)
    cofunding_requested_sek = models.PositiveIntegerField(
        _("sökt medfinansiering (kr)"), null=True, blank=True
    )
    cofunding_granted_sek = models.PositiveIntegerField(
        _("beviljad medfinansiering (kr)"), null=True, blank=True
    )
    cofunding_paid_sek = models.PositiveIntegerField(
        _("utbetald medfinansiering (kr)"), null=True, blank=True
    )

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    offered_creator = models.ForeignKey(
        "booking.Creator",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visit_offers",
        verbose_name=_("erbjuden kulturskapare"),
    )
    chosen_date_option = models.ForeignKey(
        "booking.VisitDateOption",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("valt datum"),
    )
    event = models.OneToOneField(
        "booking.Event",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visit_request",
        verbose_name=_("evenemang"),
    )
    decline_reason = models.TextField(_("skäl till avslag"), blank=True)
    refuse_note = models.TextField(_("kulturskaparens svar"), blank=True)
    cancel_reason = models.TextField(_("skäl till inställt"), blank=True)
    attendees = models.PositiveIntegerField(_("antal deltagare"), null=True, blank=True)
    evaluation = models.TextField(_("utvärdering"), blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("skapad av"),
    )
    submitted_at = models.DateTimeField(_("inskickad"), null=True, blank=True)
    decided_at = models.DateTimeField(_("beslutad"), null=True, blank=True)
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    updated_at = models.DateTimeField(_("ändrad"), auto_now=True)

    class Meta:
        verbose_name = _("förfrågan om författarbesök")
        verbose_name_plural = _("förfrågningar om författarbesök")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status"], name="visit_request_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(cofunding_granted_sek__isnull=True)
                | ~Q(status__in=["draft", "submitted", "declined"]),
                name="visit_request_granted_only_after_approval",
            )
        ]

    def __str__(self) -> str:
        return self.title or f"{self.get_format_display()} – {self.library}"


class VisitDateOption(models.Model):
    request = models.ForeignKey(
        VisitRequest, on_delete=models.CASCADE, related_name="date_options", verbose_name=_("förfrågan")
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("slut"))

    class Meta:
        verbose_name = _("datumförslag")
        verbose_name_plural = _("datumförslag")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="visit_date_option_end_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d %H:%M}–{self.end:%H:%M}"
