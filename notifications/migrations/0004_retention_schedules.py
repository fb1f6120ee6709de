"""Once the retention schedules (booking.tasks.anonymise_bookings and
purge_idempotency_records); they are booking's, and booking/0007_schedules creates them now.
Kept, empty, because later migrations depend on it and databases have it applied."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_schedules"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = []
