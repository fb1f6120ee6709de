"""Schedules for personal-data retention, created once like 0003's: every hour, anonymise the
bookings of events that ended RETENTION_DAYS_AFTER_EVENT days ago (booking.services.retention;
each run stops after 40 s and the next goes on), and forget expired Idempotency-Key answers
(they can hold a booking's tokens)."""

from django.db import migrations

SCHEDULES = [
    ("booking.anonymise_bookings", "booking.tasks.anonymise_bookings"),
    ("booking.purge_idempotency_records", "booking.tasks.purge_idempotency_records"),
]


def create(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for name, func in SCHEDULES:
        if not Schedule.objects.filter(name=name).exists():
            Schedule.objects.create(name=name, func=func, schedule_type="H", repeats=-1)


def remove(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.filter(name__in=[name for name, _ in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_schedules"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create, remove)]
