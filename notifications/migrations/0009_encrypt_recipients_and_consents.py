from django.db import migrations, models

import backend.crypto
import notifications.models


def _digest(value: str) -> str:
    # As notifications.models.recipient_digest_of: the normalised (lower-cased) contact's HMAC.
    return backend.crypto.contact_digest((value or "").strip().lower())


def encrypt_and_digest(apps, schema_editor):
    """Raw SQL: the historical models would treat what is still plaintext as tokens."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id, recipient FROM notifications_notification WHERE recipient <> ''")
        for pk, recipient in cursor.fetchall():
            cursor.execute(
                "UPDATE notifications_notification SET recipient = %s, recipient_digest = %s WHERE id = %s",
                [backend.crypto.encrypt(recipient), _digest(recipient), pk],
            )
        cursor.execute("SELECT id, phone FROM notifications_consentevent WHERE phone <> ''")
        for pk, phone in cursor.fetchall():
            cursor.execute(
                "UPDATE notifications_consentevent SET phone = %s, phone_digest = %s WHERE id = %s",
                [backend.crypto.encrypt(phone), _digest(phone), pk],
            )
        cursor.execute("SELECT id, phone FROM notifications_optout")
        for pk, phone in cursor.fetchall():
            cursor.execute("UPDATE notifications_optout SET phone_digest = %s WHERE id = %s", [_digest(phone), pk])


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0008_recipient_limit_and_digests"),
    ]

    operations = [
        migrations.AlterField(
            model_name="notification",
            name="recipient",
            field=backend.crypto.EncryptedTextField(verbose_name="mottagare"),
        ),
        migrations.AlterField(
            model_name="consentevent",
            name="phone",
            field=backend.crypto.EncryptedTextField(blank=True, verbose_name="mobilnummer (E.164)"),
        ),
        migrations.AddField(
            model_name="consentevent",
            name="phone_digest",
            field=notifications.models.ContactDigestField(
                db_index=True, source="phone", verbose_name="mobilnumrets nyckel"
            ),
        ),
        migrations.AddField(
            model_name="optout",
            name="phone_digest",
            field=models.CharField(default="", max_length=64, verbose_name="mobilnumrets nyckel"),
            preserve_default=False,
        ),
        migrations.RunPython(encrypt_and_digest, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="optout",
            name="phone_digest",
            field=models.CharField(max_length=64, unique=True, verbose_name="mobilnumrets nyckel"),
        ),
        migrations.RemoveField(model_name="optout", name="phone"),
    ]
