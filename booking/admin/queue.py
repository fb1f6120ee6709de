"""The task queue in the admin: what an operator needs to see, nothing anyone can change.

django-q2's own admin lets whoever may "add schedule" name any importable function with any
arguments, and the worker runs it with every secret in its environment (a schedule of
`subprocess.getoutput` was a shell on the server). Läsrum's schedules are data migrations, so
here no role, superusers included, may add or change a schedule or a task: the admin lists
failed tasks, successful runs and the schedules with their last run, read-only, and leaves the
queue's raw payloads (OrmQ) out.
"""

from django.contrib import admin
from django.template.defaultfilters import truncatechars
from django.utils.translation import gettext_lazy as _
from django_q import admin as q_admin
from django_q.models import Failure, OrmQ, Schedule, Success


class _ReadOnly:
    """No adds, no changes, no actions (django-q2's "resubmit" would run a task again)."""

    actions = None

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TaskRunAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ("name", "func", "started", "stopped", "attempt_count")
    list_filter = ("func",)
    search_fields = ("name", "func")
    # The arguments and results may name bookings or contacts: an operator needs when and what.
    fields = ("name", "func", "group", "cluster", "started", "stopped", "attempt_count")


class FailedTaskAdmin(TaskRunAdmin):
    list_display = ("name", "func", "started", "stopped", "attempt_count", "short_result")
    fields = (*TaskRunAdmin.fields, "short_result")
    readonly_fields = ("short_result",)

    @admin.display(description=_("Fel"))
    def short_result(self, obj):
        return truncatechars(str(obj.result), 300)


class ScheduleAdmin(_ReadOnly, q_admin.ScheduleAdmin):
    list_display = (
        "name",
        "func",
        "schedule_type",
        "minutes",
        "cron",
        "next_run",
        "get_last_run",
        "get_success",
    )
    list_display_links = ("name",)
    fields = ("name", "func", "schedule_type", "minutes", "cron", "repeats", "next_run")


for _model in (Schedule, Success, Failure, OrmQ):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
admin.site.register(Schedule, ScheduleAdmin)
admin.site.register(Success, TaskRunAdmin)
admin.site.register(Failure, FailedTaskAdmin)
