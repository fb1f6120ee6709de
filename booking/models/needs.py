"""Staff's answer to one need of a booking (arranged, not possible, contacted).

Kept beside the booking's AccessibilityRequest and deleted with it (at anonymisation, or when
the booker withdraws consent): the short message may say something of the booker's health, so
it is encrypted like the note. A need without a row is pending.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.crypto import EncryptedTextField

NEED_MESSAGE_MAX_LENGTH = 300


class NeedAnswer(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Inte besvarat än")
        CONTACTED = "contacted", _("Vi kontaktar dig")
        ARRANGED = "arranged", _("Ordnat")
        NOT_POSSIBLE = "not_possible", _("Går inte att ordna")

    request = models.ForeignKey(
        "booking.AccessibilityRequest",
        on_delete=models.CASCADE,
        related_name="answers",
        verbose_name=_("behov i bokning"),
    )
    need = models.ForeignKey(
        "booking.AccessibilityNeed", on_delete=models.CASCADE, related_name="+", verbose_name=_("behov")
    )
    status = models.CharField(_("svar"), max_length=12, choices=Status.choices, default=Status.PENDING)
    message = EncryptedTextField(_("meddelande"), max_length=NEED_MESSAGE_MAX_LENGTH, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("besvarat av"),
    )
    answered_at = models.DateTimeField(_("besvarat"), null=True, blank=True)

    class Meta:
        verbose_name = _("svar på behov")
        verbose_name_plural = _("svar på behov")
        constraints = [models.UniqueConstraint(fields=["request", "need"], name="need_answer_once")]

    def __str__(self) -> str:
        return f"{self.request_id}:{self.need_id}={self.status}"
