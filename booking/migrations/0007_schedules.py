"""booking's own schedules, created once (a schedule's name is not unique in django-q2, so a
migration makes them rather than a starting worker): offers expire every minute; retention and
the idempotency purge every hour. A database that has them already (notifications' migrations
made them before booking owned its tasks) keeps them as they are, timing and all; their `func`
is rewritten by notifications/0007_schedules_moved."""

from django.db import migrations

SCHEDULES = [
    ("booking.expire_offers", "booking.tasks.expire_offers", {"schedule_type": "I", "minutes": 1}),
    ("booking.anonymise_bookings", "booking.tasks.anonymise_bookings", {"schedule_type": "H"}),
    ("booking.purge_idempotency_records", "booking.tasks.purge_idempotency_records", {"schedule_type": "H"}),
]


def create(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for name, func, timing in SCHEDULES:
        if not Schedule.objects.filter(name=name).exists():
            Schedule.objects.create(name=name, func=func, repeats=-1, **timing)


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0006_encrypt_accessibility_note"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    # Backwards: the schedules stay (their functions exist in the older code as well).
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
