"""Organisers keep only view rights on the task queue: whoever may add or change a django-q
schedule or task names a function the worker runs with every secret in its environment."""

from django.db import migrations

ORGANISER_GROUP = "Regionala samordnare"


def drop_queue_write_rights(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name=ORGANISER_GROUP):
        writes = group.permissions.filter(content_type__app_label="django_q").exclude(codename__startswith="view_")
        group.permissions.remove(*writes)


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0004_session_feed_window"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(drop_queue_write_rights, migrations.RunPython.noop)]
