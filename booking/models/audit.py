"""API tokens, private calendar feed tokens and the audit trail (who changed or exported what)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.crypto import EncryptedTextField


class ApiToken(models.Model):
    """A staff account's API token (`Authorization: Token <key>`), one per account.

    Only the SHA-256 digest of the key is stored, like a booking's manage token: the key is
    printed once by `manage.py grant`, and running `grant` again makes a new one.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_token",
        verbose_name=_("användare"),
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)

    class Meta:
        verbose_name = _("API-nyckel")
        verbose_name_plural = _("API-nycklar")

    def __str__(self) -> str:
        return str(self.user)


class FeedToken(models.Model):
    """A private, revocable calendar feed for a creator or a library's staff member.

    The token is read-only and must be shown again by GET /api/v1/me/ and the staff calendar
    page, so it is kept encrypted (not as a digest only); a feed URL is looked up by the
    token's SHA-256 `digest`. Rotating revokes the old one.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="feed_tokens",
        verbose_name=_("användare"),
    )
    token = EncryptedTextField(editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("återkallad"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("senast använd"), null=True, blank=True)

    class Meta:
        verbose_name = _("kalenderlänk")
        verbose_name_plural = _("kalenderlänkar")

    def __str__(self) -> str:
        return f"{self.user} ({'återkallad' if self.revoked_at else 'aktiv'})"


class AuditEvent(models.Model):
    """Who changed or exported what, when, from which state to which, and why."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("vem"),
    )
    actor_label = models.CharField(_("vem (text)"), max_length=150, blank=True)
    action = models.CharField(_("händelse"), max_length=60)
    object_type = models.CharField(_("objekttyp"), max_length=60)
    object_id = models.CharField(_("objekt-id"), max_length=40, blank=True)
    from_status = models.CharField(_("från"), max_length=20, blank=True)
    to_status = models.CharField(_("till"), max_length=20, blank=True)
    reason = models.TextField(_("varför"), blank=True)
    data = models.JSONField(_("detaljer"), default=dict, blank=True)
    created_at = models.DateTimeField(_("när"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("granskningshändelse")
        verbose_name_plural = _("granskningslogg")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}#{self.object_id}"
