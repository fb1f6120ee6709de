"""Bookings, their accessibility needs (health data, kept apart), attendance and idempotency.

A booking of one session sets `session`; a series booking (booking_mode=series) leaves it
empty and holds its seats in every session of the event. Contact details live on the booking
so that anonymisation can blank them in place; statistics read seats and children, which stay.
Name, e-mail and phone are encrypted at rest; a booking is found by its contact through keyed
digests of the normalised e-mail and number (booking.selectors.contacts), never by the columns.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from backend.crypto import EncryptedJSONField, EncryptedTextField


class Booking(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Bekräftad")
        WAITLISTED = "waitlisted", _("På väntelista")
        OFFERED = "offered", _("Erbjuden plats")
        CANCELLED = "cancelled", _("Avbokad")
        EXPIRED = "expired", _("Erbjudandet gick ut")

    class Source(models.TextChoices):
        WEB = "web", _("Webbplatsen")
        API = "api", _("API")
        STAFF = "staff", _("Personal (telefon, på plats)")

    class CancelledBy(models.TextChoices):
        BOOKER = "booker", _("Deltagaren")
        STAFF = "staff", _("Personal")
        SYSTEM = "system", _("Systemet")

    class Language(models.TextChoices):
        SV = "sv", _("svenska")
        EN = "en", _("engelska")

    # Seats are held by confirmed and offered bookings.
    HOLDS_SEATS = (Status.CONFIRMED, Status.OFFERED)

    event = models.ForeignKey(
        "booking.Event", on_delete=models.PROTECT, related_name="bookings", verbose_name=_("evenemang")
    )
    session = models.ForeignKey(
        "booking.Session",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bookings",
        verbose_name=_("tillfälle"),
        help_text=_("Tomt för en bokning av hela serien."),
    )
    seats = models.PositiveSmallIntegerField(_("platser"))
    companion_seats = models.PositiveSmallIntegerField(_("ledsagare"), default=0)
    children = models.PositiveSmallIntegerField(_("varav barn"), default=0)
    overbooked_seats = models.PositiveSmallIntegerField(
        _("platser över kapaciteten"),
        default=0,
        help_text=_("Bokade av personal över kapaciteten, med skäl."),
    )

    # Encrypted at rest (backend.crypto): found by the keyed digests beside them, which the
    # booking services set whenever they write a contact (booking.selectors.contacts).
    name = EncryptedTextField(_("namn"), max_length=120, blank=True)
    email = EncryptedTextField(_("e-post"), max_length=254, blank=True)
    phone = EncryptedTextField(_("mobilnummer (E.164)"), max_length=16, blank=True)
    email_digest = models.CharField(max_length=64, blank=True, default="", editable=False)
    phone_digest = models.CharField(max_length=64, blank=True, default="", editable=False)
    sms_consent = models.BooleanField(_("samtycke till sms"), default=False)
    sms_consent_at = models.DateTimeField(_("sms-samtycke givet"), null=True, blank=True)
    language = models.CharField(
        _("språk för meddelanden"), max_length=2, choices=Language.choices, default=Language.SV
    )
    school = models.CharField(_("skola"), max_length=120, blank=True)
    grade = models.CharField(_("årskurs"), max_length=20, blank=True)

    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    promoted = models.BooleanField(_("flyttad från väntelistan"), default=False)
    waitlisted_at = models.DateTimeField(_("på väntelistan sedan"), null=True, blank=True)
    # The waitlist is walked by queue_at where staff have moved a booking, else by arrival
    # (waitlisted_at, which stays the arrival time): booking.services.waitlist.queue_order.
    queue_at = models.DateTimeField(
        _("plats i kön"),
        null=True,
        blank=True,
        help_text=_("Sätts när personalen flyttar bokningen i väntelistan; annars gäller när den kom."),
    )
    offered_at = models.DateTimeField(_("plats erbjuden"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("svara senast"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("bekräftad"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("avbokad"), null=True, blank=True)
    cancelled_by = models.CharField(_("avbokad av"), max_length=10, choices=CancelledBy.choices, blank=True)
    cancel_reason = models.TextField(_("orsak"), blank=True)

    manage_token_hash = models.CharField(max_length=64, unique=True, editable=False)
    calendar_token_hash = models.CharField(max_length=64, unique=True, editable=False)

    source = models.CharField(_("källa"), max_length=10, choices=Source.choices, default=Source.WEB)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bokad av"),
    )
    staff_reason = models.TextField(
        _("skäl (personal)"), blank=True, help_text=_("Till exempel varför kapaciteten överskrids.")
    )
    anonymised_at = models.DateTimeField(_("avidentifierad"), null=True, blank=True)
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    updated_at = models.DateTimeField(_("ändrad"), auto_now=True)

    class Meta:
        verbose_name = _("bokning")
        verbose_name_plural = _("bokningar")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["session", "status", "waitlisted_at"], name="booking_session_queue"),
            models.Index(fields=["event", "status", "waitlisted_at"], name="booking_event_queue"),
            models.Index(fields=["status", "offer_expires_at"], name="booking_offer_expiry"),
            models.Index(fields=["email_digest"], name="booking_email_digest"),
            models.Index(fields=["phone_digest"], name="booking_phone_digest"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(seats__gt=0), name="booking_seats_positive"),
            models.CheckConstraint(
                condition=Q(companion_seats__lt=F("seats")), name="booking_companions_below_seats"
            ),
            models.CheckConstraint(
                condition=Q(children__lte=F("seats")), name="booking_children_within_seats"
            ),
            models.CheckConstraint(
                condition=Q(overbooked_seats__lte=F("seats")), name="booking_overbooked_within_seats"
            ),
            # An empty contact stays "" when encrypted, so this reads the encrypted columns.
            models.CheckConstraint(
                condition=~Q(email="") | ~Q(phone="") | Q(anonymised_at__isnull=False),
                name="booking_has_contact",
            ),
            models.CheckConstraint(
                condition=~Q(status="offered") | Q(offer_expires_at__isnull=False),
                name="booking_offer_has_deadline",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.name or _('(anonym)')} ×{self.seats}"

    @property
    def holds_seats(self) -> bool:
        return self.status in self.HOLDS_SEATS


class AccessibilityRequest(models.Model):
    """A booking's accessibility needs: health data, stored apart so that access can be
    restricted and the row deleted at anonymisation, with consent recorded."""

    booking = models.OneToOneField(
        Booking, on_delete=models.CASCADE, related_name="accessibility", verbose_name=_("bokning")
    )
    needs = models.ManyToManyField(
        "booking.AccessibilityNeed", blank=True, related_name="+", verbose_name=_("behov")
    )
    note = EncryptedTextField(_("övrigt"), max_length=1000, blank=True)
    consent_at = models.DateTimeField(_("samtycke givet"))

    class Meta:
        verbose_name = _("tillgänglighetsbehov i bokning")
        verbose_name_plural = _("tillgänglighetsbehov i bokningar")

    def __str__(self) -> str:
        return str(_("Behov för bokning #%(id)s") % {"id": self.booking_id})


class Attendance(models.Model):
    class Status(models.TextChoices):
        ATTENDED = "attended", _("Närvarande")
        NO_SHOW = "no_show", _("Uteblev")

    booking = models.ForeignKey(
        Booking, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("bokning")
    )
    session = models.ForeignKey(
        "booking.Session", on_delete=models.CASCADE, related_name="attendances", verbose_name=_("tillfälle")
    )
    status = models.CharField(_("närvaro"), max_length=10, choices=Status.choices)
    # How many of the booking's seats came: all by default, fewer for "22 of a class of 25";
    # 0 for a no-show. The statistics sum this, so a partly present class counts as it came.
    attended_seats = models.PositiveSmallIntegerField(_("antal som kom"), default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registrerad av"),
    )
    recorded_at = models.DateTimeField(_("registrerad"), auto_now=True)

    class Meta:
        verbose_name = _("närvaro")
        verbose_name_plural = _("närvaro")
        constraints = [
            models.UniqueConstraint(fields=["booking", "session"], name="attendance_once_per_session")
        ]

    def __str__(self) -> str:
        return f"{self.booking_id}@{self.session_id}: {self.status}"


class IdempotencyRecord(models.Model):
    """The first answer to a request carrying an Idempotency-Key, kept for a short while.

    Scope is the caller (its token's user, or anonymous). The body may hold a booking's
    tokens: encrypted at rest, kept out of logs and forgotten after IDEMPOTENCY_TTL_HOURS.
    """

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", _("Pågår")
        DONE = "done", _("Klar")

    scope = models.CharField(max_length=80)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    state = models.CharField(max_length=12, choices=State.choices, default=State.IN_PROGRESS)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = EncryptedJSONField(null=True, blank=True)  # may hold a manage token
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("idempotensnyckel")
        verbose_name_plural = _("idempotensnycklar")
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_unique_key_per_caller")
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key[:16]}"
