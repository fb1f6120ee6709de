"""The outbox, opt-outs, consent and worker heartbeats, for organisers to follow up.

Messages are evidence of what was sent: read-only. Failed and suppressed ones show why."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking.errors import InvalidInput
from booking.validation import phone_normalize
from notifications.models import ConsentEvent, Notification, OptOut, WorkerHeartbeat
from notifications.redact import mask_contact

HIDDEN_FIELDS = {"recipient", "recipient_digest", "body", "link"}


def contact_searched(term: str) -> str:
    """A search term as a stored contact: an e-mail address as typed (the digest lower-cases
    it), a phone number in E.164 ("070-123 45 67" finds "+46701234567")."""
    term = term.strip()
    if "@" in term or not term:
        return term
    try:
        return phone_normalize(term, for_sms=False)
    except InvalidInput:
        return term


class ContactSearch:
    """Search by a whole contact: contacts are encrypted, so the term's digest is looked up
    (no partial matches). Other search_fields still search as usual."""

    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip():
            found |= queryset.for_contact(contact_searched(search_term))
        return found, may_have_duplicates


class ProblemFilter(admin.SimpleListFilter):
    title = _("problem")
    parameter_name = "problem"

    def lookups(self, request, model_admin):
        return [("yes", _("Misslyckade, ej levererade eller stoppade"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(
                status__in=[
                    Notification.Status.FAILED,
                    Notification.Status.UNDELIVERED,
                    Notification.Status.SUPPRESSED,
                ]
            )
        return queryset


@admin.register(Notification)
class NotificationAdmin(ContactSearch, admin.ModelAdmin):
    list_display = [
        "due_at",
        "channel",
        "template",
        "masked_recipient",
        "status",
        "status_reason",
        "error_code",
        "attempts",
        "sent_at",
    ]
    list_filter = [ProblemFilter, "status", "channel", "template", "language"]
    search_fields = ["provider_id", "dedupe_key"]
    date_hierarchy = "due_at"
    # Body and link hold the booker's manage link (whoever reads them can act as the booker),
    # and the recipient is personal data: none of them is shown in the clear.
    exclude = sorted(HIDDEN_FIELDS)
    readonly_fields = [
        *(field.name for field in Notification._meta.fields if field.name not in HIDDEN_FIELDS),
        "masked_recipient",
        "text",
    ]

    @admin.display(description=_("mottagare"))
    def masked_recipient(self, obj):
        return mask_contact(obj.recipient)

    @admin.display(description=_("meddelandet"))
    def text(self, obj):
        """Only whether there is a text and how long it is: it holds the manage link."""
        if not obj.body:
            return _("Skrivs när det skickas (mall %(template)s).") % {"template": obj.template}
        return _("Dold: innehåller bokarens länk (%(n)s tecken).") % {"n": len(obj.body)}

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OptOut)
class OptOutAdmin(ContactSearch, admin.ModelAdmin):
    """Only digests of the numbers are kept: search with a whole number to see if it said STOP."""

    list_display = ["opted_out_at", "source"]
    list_filter = ["source"]
    search_fields = ["=source"]  # the box; ContactSearch adds the number
    search_help_text = _("Sök på ett helt mobilnummer.")
    date_hierarchy = "opted_out_at"
    exclude = ["phone_digest"]

    def has_add_permission(self, request):
        return False  # an opt-out comes from its number (STOP) or the manage page

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ConsentEvent)
class ConsentEventAdmin(ContactSearch, admin.ModelAdmin):
    list_display = ["created_at", "masked_phone", "action", "source", "booking_id"]
    list_filter = ["action", "source"]
    search_fields = ["=source"]  # the box; ContactSearch adds the number
    search_help_text = _("Sök på ett helt mobilnummer.")
    date_hierarchy = "created_at"
    exclude = ["phone", "phone_digest"]
    readonly_fields = ["masked_phone", "action", "source", "booking", "created_at"]

    @admin.display(description=_("mobilnummer (E.164)"))
    def masked_phone(self, obj):
        return mask_contact(obj.phone)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "seen_at", "age"]
    readonly_fields = ["name", "seen_at"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("sedan"))
    def age(self, obj):
        return timezone.now() - obj.seen_at
