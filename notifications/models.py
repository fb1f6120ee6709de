"""The outbox: every message is a row written in the same transaction as the change that
causes it, and a dispatcher sends it. Reminders are rows too, with a due time.

A unique dedupe key (e.g. "reminder:<booking>:<session>:24h:sms") makes a second send of the
same message impossible, through crashes, retries and several workers.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backend.crypto import EncryptedTextField, stored_contact_digest


def recipient_digest_of(contact: str) -> str:
    """The keyed digest of a stored contact, normalised as every contact lookup is: an e-mail
    address in lower case, a number in E.164 (already so when stored); "" for none."""
    return stored_contact_digest(contact)


class ContactDigestField(models.CharField):
    """The keyed digest (recipient_digest_of) of another column of the row, `source`, kept in
    step whenever the ORM writes the row (save, create, bulk_create). The outbox's own INSERT
    computes it too (outbox.rows.rows_insert); a queryset update() of the source must set it as
    well."""

    def __init__(self, *args, source: str, **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, default in (("max_length", 64), ("blank", True), ("editable", False)):
            if kwargs.get(key) == default:
                kwargs.pop(key)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = recipient_digest_of(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value


class ContactQuerySet(models.QuerySet):
    """Finding rows by a contact through its digest column (the contact itself is encrypted:
    every encryption differs, so `recipient=…` or `phone=…` would never match)."""

    digest_field = ""

    def for_contact(self, contact: str):
        return self.filter(**{self.digest_field: recipient_digest_of(contact)})


class RecipientQuerySet(ContactQuerySet):
    digest_field = "recipient_digest"


class PhoneQuerySet(ContactQuerySet):
    digest_field = "phone_digest"


class Notification(models.Model):
    class Channel(models.TextChoices):
        SMS = "sms", _("Sms")
        EMAIL = "email", _("E-post")

    class Status(models.TextChoices):
        PENDING = "pending", _("Väntar")
        SENDING = "sending", _("Skickas")
        SENT = "sent", _("Skickat")
        DELIVERED = "delivered", _("Levererat")
        UNDELIVERED = "undelivered", _("Ej levererat")
        FAILED = "failed", _("Misslyckades")
        SUPPRESSED = "suppressed", _("Stoppat")

    channel = models.CharField(_("kanal"), max_length=5, choices=Channel.choices)
    # Encrypted at rest; its length is bounded where it is cleaned (booking.validation: an
    # e-mail address of at most 254 characters, an E.164 number of at most 16).
    recipient = EncryptedTextField(_("mottagare"))
    # Keyed digest of the recipient: the per-recipient limit (notifications.limits) and the
    # opt-outs find a recipient's rows by it.
    recipient_digest = ContactDigestField(_("mottagarens nyckel"), source="recipient")
    template = models.CharField(_("mall"), max_length=60)
    language = models.CharField(_("språk"), max_length=2, default="sv")
    subject = models.CharField(_("ämne"), max_length=200, blank=True)
    body = EncryptedTextField(_("text"), blank=True)
    # The booking's manage link as it went into the body. Only the token's hash is on the
    # booking, so later messages (an offer's claim link, a moved session) take it from here.
    link = EncryptedTextField(_("länk"), max_length=300, blank=True)
    booking = models.ForeignKey(
        "booking.Booking",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("bokning"),
    )
    session = models.ForeignKey(
        "booking.Session",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("tillfälle"),
    )
    visit_request = models.ForeignKey(
        "booking.VisitRequest",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("förfrågan"),
    )
    due_at = models.DateTimeField(_("skickas"))
    not_after = models.DateTimeField(
        _("inte efter"), null=True, blank=True, help_text=_("För sent för att vara till nytta.")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    status_reason = models.CharField(_("orsak"), max_length=200, blank=True)
    provider_id = models.CharField(_("leverantörens id"), max_length=64, blank=True, db_index=True)
    error_code = models.CharField(_("felkod"), max_length=20, blank=True)
    attempts = models.PositiveSmallIntegerField(_("försök"), default=0)
    dedupe_key = models.CharField(_("dedupliceringsnyckel"), max_length=200, unique=True)
    claimed_at = models.DateTimeField(_("hämtad av utskickaren"), null=True, blank=True)
    # Which dispatch pass holds the row (notifications.dispatch): only that pass may hand it over.
    claim = models.UUIDField(_("utskicksomgång"), null=True, blank=True, editable=False)
    # The moment the row was handed to the provider (SMS gateway or mail server). A row in
    # `sending` without it was never offered to anyone and can safely be sent again.
    handed_at = models.DateTimeField(_("lämnat till leverantören"), null=True, blank=True)
    sent_at = models.DateTimeField(_("skickat"), null=True, blank=True)
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    updated_at = models.DateTimeField(_("ändrad"), auto_now=True)
    # A message that did not arrive, dealt with by staff (notifications.failures): off the list.
    handled_at = models.DateTimeField(_("hanterad"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hanterad av"),
    )

    objects = RecipientQuerySet.as_manager()

    class Meta:
        verbose_name = _("meddelande")
        verbose_name_plural = _("meddelanden")
        ordering = ["-due_at"]
        indexes = [
            # The dispatcher's question, "what is due?", is answered from this partial index
            # alone, however many reminders wait in the future.
            models.Index(fields=["due_at"], name="notification_due_pending", condition=Q(status="pending")),
            models.Index(fields=["status", "updated_at"], name="notification_status"),
            models.Index(fields=["recipient_digest", "created_at"], name="notification_recipient"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.template} #{self.pk} ({self.get_status_display()})"


class OptOut(models.Model):
    """A mobile number that said STOP. It stays opted out until START or the web opt-in.

    Only the number's keyed digest is kept (recipient_digest_of): the row must outlive every
    booking of the number, and a digest is enough to say "this number said STOP". CONTACT_HASH_KEY
    is never rotated, or every STOP would be forgotten."""

    class Source(models.TextChoices):
        SMS_KEYWORD = "sms_keyword", _("Sms-svar (STOP)")
        WEB = "web", _("Webben")
        PROVIDER = "provider", _("Leverantören (21610)")
        STAFF = "staff", _("Personal")

    phone_digest = models.CharField(_("mobilnumrets nyckel"), max_length=64, unique=True)
    source = models.CharField(_("källa"), max_length=12, choices=Source.choices)
    opted_out_at = models.DateTimeField(_("avregistrerad"))

    objects = PhoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("avregistrerat nummer")
        verbose_name_plural = _("avregistrerade nummer")

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.opted_out_at:%Y-%m-%d}"


class ConsentEvent(models.Model):
    """The record of consent given and withdrawn, with its time."""

    class Action(models.TextChoices):
        OPT_IN = "opt_in", _("Samtycke")
        OPT_OUT = "opt_out", _("Avregistrering")

    phone = EncryptedTextField(_("mobilnummer (E.164)"), blank=True)
    phone_digest = ContactDigestField(_("mobilnumrets nyckel"), source="phone", db_index=True)
    action = models.CharField(_("händelse"), max_length=8, choices=Action.choices)
    source = models.CharField(
        _("källa"), max_length=12, choices=OptOut.Source.choices + [("booking", _("Bokning"))]
    )
    booking = models.ForeignKey(
        "booking.Booking", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("när"), auto_now_add=True)

    objects = PhoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("samtyckeshändelse")
        verbose_name_plural = _("samtyckeshändelser")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} #{self.pk}"


class WorkerHeartbeat(models.Model):
    """Written by the queue worker; /healthz/worker reads it."""

    name = models.CharField(max_length=100, unique=True)
    seen_at = models.DateTimeField()

    class Meta:
        verbose_name = _("köarbetare")
        verbose_name_plural = _("köarbetare")

    def __str__(self) -> str:
        return f"{self.name} {self.seen_at:%Y-%m-%d %H:%M:%S}"
