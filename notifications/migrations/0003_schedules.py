"""Create the worker's schedules once. A schedule's name is not unique in django-q2, so creating
them when a worker starts would duplicate them across workers; a migration runs once.

Only notifications' own schedules: booking's (the offer expiry, once made here as
notifications.tasks.expire_offers) are created by booking/0007_schedules."""

from django.db import migrations

SCHEDULES = [
    ("notifications.dispatch_due", "notifications.tasks.dispatch_due"),
    ("notifications.heartbeat", "notifications.tasks.heartbeat"),
]


def create(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for name, func in SCHEDULES:
        if not Schedule.objects.filter(name=name).exists():
            Schedule.objects.create(name=name, func=func, schedule_type="I", minutes=1, repeats=-1)


def remove(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.filter(name__in=[name for name, _ in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_notification_link"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create, remove)]
