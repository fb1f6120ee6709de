"""Events and their sessions.

Each session holds its own capacity and seats taken (copied from the event), so that the
database itself can refuse an oversold session: CHECK seats_taken <= capacity + overbooked.
`overbooked` only grows when staff book over capacity with a recorded reason.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from backend.crypto import EncryptedTextField


class EventQuerySet(models.QuerySet):
    def public(self) -> "EventQuerySet":
        """The events anyone may read and book through their link (events_public_q)."""
        return self.filter(events_public_q())

    def listed(self) -> "EventQuerySet":
        """The public events that listings and the public feeds show (events_listed_q)."""
        return self.filter(events_listed_q())


class Event(models.Model):
    class Kind(models.TextChoices):
        AUTHOR_VISIT = "author_visit", _("Författarbesök")
        WRITING_WORKSHOP = "writing_workshop", _("Skrivarverkstad")
        READING_CIRCLE = "reading_circle", _("Läscirkel")

    class WaitlistMode(models.TextChoices):
        OFFER = "offer", _("Erbjud platsen med svarstid")
        AUTO = "auto", _("Boka automatiskt")
        NONE = "none", _("Ingen väntelista")

    class BookingMode(models.TextChoices):
        SESSION = "session", _("Varje tillfälle för sig")
        SERIES = "series", _("Hela serien")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Publik")
        UNLISTED = "unlisted", _("Olistad (bokas via länk)")
        PRIVATE = "private", _("Privat (bara personal)")

    class AttendanceMode(models.TextChoices):
        OFFLINE = "offline", _("På plats")
        ONLINE = "online", _("Digitalt")
        MIXED = "mixed", _("På plats och digitalt")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Utkast")
        PUBLISHED = "published", _("Publicerad")
        CANCELLED = "cancelled", _("Inställd")
        COMPLETED = "completed", _("Genomförd")

    kind = models.CharField(_("typ"), max_length=30, choices=Kind.choices)
    # Title and description in the language the event is held in; optional sv/en versions.
    title = models.CharField(_("titel"), max_length=200)
    description = models.TextField(_("beskrivning"), blank=True)
    content_language = models.CharField(_("textens språk"), max_length=35, default="sv")
    title_sv = models.CharField(_("titel på svenska"), max_length=200, blank=True)
    description_sv = models.TextField(_("beskrivning på svenska"), blank=True)
    title_en = models.CharField(_("titel på engelska"), max_length=200, blank=True)
    description_en = models.TextField(_("beskrivning på engelska"), blank=True)
    sms_title = models.CharField(_("kort titel för sms (GSM-7)"), max_length=40, blank=True)

    library = models.ForeignKey(
        "booking.Library", on_delete=models.PROTECT, related_name="events", verbose_name=_("bibliotek")
    )
    room = models.ForeignKey(
        "booking.Room",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("lokal"),
    )
    creators = models.ManyToManyField(
        "booking.Creator", blank=True, related_name="events", verbose_name=_("kulturskapare")
    )
    audiences = models.ManyToManyField(
        "booking.Audience", blank=True, related_name="events", verbose_name=_("målgrupper")
    )
    priority_groups = models.ManyToManyField(
        "booking.PriorityGroup", blank=True, related_name="events", verbose_name=_("prioriterade grupper")
    )
    languages = models.ManyToManyField(
        "booking.Language", blank=True, related_name="events", verbose_name=_("språk")
    )
    accessibility_features = models.ManyToManyField(
        "booking.VenueFeature", blank=True, related_name="events", verbose_name=_("tillgänglighet")
    )
    easy_to_read = models.BooleanField(_("lättläst"), default=False)

    capacity = models.PositiveIntegerField(_("antal platser"))
    max_seats_per_booking = models.PositiveSmallIntegerField(_("max platser per bokning"), default=10)
    booking_opens = models.DateTimeField(_("bokningen öppnar"), null=True, blank=True)
    booking_closes_before = models.DurationField(_("bokningen stänger före start"), default=timedelta(0))
    waitlist_mode = models.CharField(
        _("väntelista"), max_length=10, choices=WaitlistMode.choices, default=WaitlistMode.OFFER
    )
    booking_mode = models.CharField(
        _("bokas"), max_length=10, choices=BookingMode.choices, default=BookingMode.SESSION
    )
    visibility = models.CharField(
        _("synlighet"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    attendance_mode = models.CharField(
        _("hur det hålls"), max_length=10, choices=AttendanceMode.choices, default=AttendanceMode.OFFLINE
    )
    # The meeting link: confirmed bookers only (booking.selectors.online), never public. Stored
    # encrypted like the other secrets, so a database dump does not hand it out.
    online_url = EncryptedTextField(_("länk till mötet"), max_length=500, blank=True)

    # A reading circle's rule, kept so that the editor can show it again. The sessions are
    # the truth; dtstart and exdates are local (Europe/Stockholm) wall-clock times.
    recurrence_rule = models.CharField(_("upprepningsregel (RRULE)"), max_length=300, blank=True)
    recurrence_dtstart = models.DateTimeField(_("första tillfället (lokal tid)"), null=True, blank=True)
    recurrence_duration = models.DurationField(_("längd"), null=True, blank=True)
    recurrence_exdates = models.JSONField(_("undantag"), default=list, blank=True)

    cancel_reason = models.TextField(_("orsak till inställt"), blank=True)
    cancelled_at = models.DateTimeField(_("inställt"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("skapad av"),
    )
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    updated_at = models.DateTimeField(_("ändrad"), auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("evenemang")
        verbose_name_plural = _("evenemang")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "visibility"], name="event_status_visibility")]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gt=0), name="event_capacity_positive"),
            models.CheckConstraint(condition=Q(max_seats_per_booking__gt=0), name="event_max_seats_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/evenemang/{self.pk}/"

    @property
    def is_public(self) -> bool:
        """May anyone read it and book it by its link? The same rule as events_public_q."""
        return self.status in PUBLIC_STATUSES and self.visibility in PUBLIC_VISIBILITIES

    @property
    def is_listed(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.visibility == self.Visibility.PUBLIC


# WHICH EVENTS ARE PUBLIC, decided here for every face (the API, the pages, the feeds, access):
# published events, and cancelled or completed ones (shown as such), that are public or
# unlisted. Unlisted ones are read and booked through their link but not listed: listings and
# the public feeds show public visibility only.
PUBLIC_STATUSES = (Event.Status.PUBLISHED, Event.Status.CANCELLED, Event.Status.COMPLETED)
PUBLIC_VISIBILITIES = (Event.Visibility.PUBLIC, Event.Visibility.UNLISTED)


def events_public_q(prefix: str = "") -> Q:
    """The condition for a public event; `prefix` ("event__") for rows that point to one."""
    return Q(**{f"{prefix}status__in": PUBLIC_STATUSES, f"{prefix}visibility__in": PUBLIC_VISIBILITIES})


def events_listed_q(prefix: str = "") -> Q:
    """The condition for a public event that is listed (public visibility, not unlisted)."""
    return Q(**{f"{prefix}status__in": PUBLIC_STATUSES, f"{prefix}visibility": Event.Visibility.PUBLIC})


class Session(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Planerat")
        CANCELLED = "cancelled", _("Inställt")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("evenemang")
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("slut"))
    room = models.ForeignKey(
        "booking.Room",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("lokal"),
    )
    capacity = models.PositiveIntegerField(_("antal platser"))
    capacity_overridden = models.BooleanField(
        _("egen kapacitet"),
        default=False,
        help_text=_("Annars följer tillfället evenemangets antal platser."),
    )
    seats_taken = models.PositiveIntegerField(_("upptagna platser"), default=0)
    overbooked = models.PositiveIntegerField(
        _("överbokat av personal"),
        default=0,
        help_text=_("Platser utöver kapaciteten, bokade av personal med angivet skäl."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    # One UID per session forever; SEQUENCE grows when time or place changes (RFC 5545).
    uid = models.UUIDField(_("kalender-UID"), default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(_("ändringsnummer"), default=0)
    cancel_reason = models.TextField(_("orsak till inställt"), blank=True)
    cancelled_at = models.DateTimeField(_("inställt"), null=True, blank=True)
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    updated_at = models.DateTimeField(_("ändrad"), auto_now=True)

    class Meta:
        verbose_name = _("tillfälle")
        verbose_name_plural = _("tillfällen")
        ordering = ["start"]
        indexes = [
            models.Index(fields=["start"], name="session_start"),
            models.Index(fields=["event", "start"], name="session_event_start"),
            models.Index(fields=["room", "start"], name="session_room_start"),
            models.Index(fields=["updated_at"], name="session_updated"),
            # Covers what a feed's conditional GET reads of a session (feeds.selectors), so that
            # PostgreSQL answers it from the index alone, event by event.
            models.Index(
                fields=["event", "end", "status", "cancelled_at", "updated_at"], name="session_feed_window"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="session_end_after_start"),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="session_capacity_positive"),
            models.CheckConstraint(
                condition=Q(seats_taken__lte=F("capacity") + F("overbooked")), name="session_not_oversold"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event.title} {self.start:%Y-%m-%d %H:%M}"

    @property
    def seats_left(self) -> int:
        return max(0, self.capacity - self.seats_taken)
