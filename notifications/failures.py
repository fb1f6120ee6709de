"""Messages that did not reach a person: the dashboard's list, its reasons in words, and staff
clearing what they have handled.

The one rule of what counts (not_arrived_q): a message that failed or came back undelivered,
one stopped because the person could not be reached (a number outside the countries we send
to), and one whose outcome is unknown after it was handed over (staff must settle it). Stops
that are the schedule working as meant — the booking was cancelled, the offer expired, the
session moved or was cancelled, the number said STOP, the recipient limit, too late, quiet
hours, anonymised — are not failures and never show. Each row is one message: a retry is the
same row again, so a message retried three times is still one line.
"""

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.services.audit import audit_record
from notifications.dispatch import RECONCILE
from notifications.models import Notification

Status = Notification.Status
# Suppressed rows that mean a person was not reached (the others are routine: see above).
UNREACHED = ("country_not_allowed",)

# Twilio's error codes, in words for staff (anything else: the generic words).
_SMS_CODES = {
    "21211": "invalid_number",
    "21214": "invalid_number",
    "30005": "invalid_number",
    "21614": "not_mobile",
    "30006": "not_mobile",
    "21408": "country",
    "21612": "country",
    "30003": "unreachable",
    "30007": "filtered",
}


def not_arrived_q() -> Q:
    """The rows that are real failures (handled or not)."""
    return (
        Q(status__in=[Status.FAILED, Status.UNDELIVERED])
        | Q(status=Status.SUPPRESSED, status_reason__in=UNREACHED)
        | Q(status=Status.SENDING, status_reason__startswith=RECONCILE)
    )


def _library_q(library_ids) -> Q:
    if library_ids is None:
        return Q()
    return (
        Q(booking__event__library_id__in=library_ids)
        | Q(session__event__library_id__in=library_ids)
        | Q(visit_request__library_id__in=library_ids)
    )


def messages_not_arrived(*, library_ids, now: datetime, days: int = 14, limit: int | None = 30):
    """The not-arrived messages of these libraries (None: all) of the last `days`, newest
    first, without those staff have marked as handled."""
    rows = (
        Notification.objects.filter(not_arrived_q(), _library_q(library_ids), handled_at__isnull=True)
        .filter(updated_at__gte=now - timedelta(days=days))
        .select_related("booking__event", "booking__session", "session__event", "visit_request")
        .order_by("-updated_at", "-pk")
    )
    return rows[:limit] if limit else rows


def failure_words(notification: Notification) -> str:
    """Why the message did not arrive, in the reader's language."""
    reason, code = notification.status_reason or "", notification.error_code or ""
    if notification.status == Status.SENDING:
        return _("Oklart om det kom fram: leverantören svarade inte. Kontrollera med mottagaren.")
    if notification.status == Status.SUPPRESSED:
        return _("Numret är från ett land dit vi inte skickar sms.")
    kind = _SMS_CODES.get(code) or _SMS_CODES.get(reason.removeprefix("Twilio ").split(":")[0].strip())
    words = {
        "invalid_number": _("Numret finns inte eller är felskrivet."),
        "not_mobile": _("Numret går inte till en mobil (kanske en fast telefon)."),
        "country": _("Sms kan inte skickas till det landet."),
        "unreachable": _("Telefonen gick inte att nå (avstängd eller utan täckning)."),
        "filtered": _("Operatören stoppade meddelandet."),
    }
    if kind:
        return words[kind]
    if reason.startswith("address refused"):
        return _("E-postadressen togs inte emot.")
    if reason.startswith("gave up after"):
        return _("Gick inte att skicka trots flera försök.")
    if reason.startswith("render:"):
        return _("Meddelandet kunde inte skapas (ett tekniskt fel).")
    if notification.status == Status.UNDELIVERED:
        return _("Kom inte fram till mottagaren.")
    return _("Kunde inte skickas.")


def notification_mark_handled(*, notification: Notification, actor, now: datetime | None = None) -> bool:
    """Staff have dealt with it (called the person, fixed the number): it leaves the list.
    False when it was already handled."""
    now = now or timezone.now()
    done = Notification.objects.filter(pk=notification.pk, handled_at__isnull=True).update(
        handled_at=now, handled_by=actor
    )
    if done:
        audit_record(
            actor=actor,
            action="notification.handled",
            object_type="notification",
            object_id=notification.pk,
            data={"status": notification.status, "channel": notification.channel},
        )
    return bool(done)
