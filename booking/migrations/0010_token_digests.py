"""Staff API tokens kept as SHA-256 digests (booking.ApiToken) instead of rest_framework.authtoken's
plaintext keys. Existing keys are converted, so they keep working, and then erased from the old
table (which stays, empty: the authtoken app is no longer installed)."""

import hashlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

OLD_TABLE = "authtoken_token"


def keys_to_digests(apps, schema_editor):
    connection = schema_editor.connection
    if OLD_TABLE not in connection.introspection.table_names():
        return  # a database made after the change
    ApiToken = apps.get_model("booking", "ApiToken")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT user_id, {connection.ops.quote_name('key')} FROM {OLD_TABLE}")  # noqa: S608
        rows = cursor.fetchall()
        for user_id, key in rows:
            digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
            ApiToken.objects.update_or_create(user_id=user_id, defaults={"digest": digest})
        cursor.execute(f"DELETE FROM {OLD_TABLE}")  # noqa: S608


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0009_attended_seats"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ApiToken",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("digest", models.CharField(editable=False, max_length=64, unique=True)),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="skapad")),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="api_token",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="användare",
                    ),
                ),
            ],
            options={"verbose_name": "API-nyckel", "verbose_name_plural": "API-nycklar"},
        ),
        # The old keys cannot be given back: going back leaves every account without a token.
        migrations.RunPython(keys_to_digests, migrations.RunPython.noop),
    ]
