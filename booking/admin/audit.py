"""Private feed tokens (revocable) and the audit trail (read-only: it is evidence)."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from booking.models import AuditEvent, FeedToken


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FeedToken)
class FeedTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "token_start", "created_at", "last_used_at", "revoked_at"]
    list_select_related = ["user"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__username", "user__email"]
    fields = ["user", "token_start", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["user", "token_start", "created_at", "last_used_at"]
    actions = ["revoke"]

    def has_add_permission(self, request, obj=None):
        return False  # a token is made by the person themselves (GET /api/v1/me/)

    @admin.display(description=_("länk (början)"))
    def token_start(self, obj):
        # The whole token is a password to a private calendar: show enough to recognise it.
        return f"{obj.token[:6]}…" if obj.token else ""

    @admin.action(description=_("Återkalla markerade kalenderlänkar"))
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(
            request,
            ngettext("%(count)d länk återkallad.", "%(count)d länkar återkallade.", count) % {"count": count},
            messages.SUCCESS,
        )


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "from_status",
        "to_status",
    ]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "object_id", "reason", "action"]
    date_hierarchy = "created_at"
