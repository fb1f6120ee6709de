"""Tasks that moved to the app that owns them: every schedule that names the old function
(whatever its name, so one an operator made too) names the new one, so that a deployed worker
finds it after the upgrade. Add a line here when a task moves again."""

from django.db import migrations

MOVED = {
    # The offer expiry is the booking engine's (booking.tasks), not the messages'.
    "notifications.tasks.expire_offers": "booking.tasks.expire_offers",
}


def rewrite(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for old, new in MOVED.items():
        Schedule.objects.filter(func=old).update(func=new)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0006_outbox_handover"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    # Backwards: nothing to undo, the new functions exist in the older code as well.
    operations = [migrations.RunPython(rewrite, migrations.RunPython.noop)]
