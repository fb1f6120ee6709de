"""Accessibility notes (health data) encrypted at rest: existing plaintext notes are encrypted in place."""

from django.db import migrations

import backend.crypto


def encrypt_notes(apps, schema_editor):
    # Raw SQL: the historical model would try to decrypt the plaintext that is still there.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id, note FROM booking_accessibilityrequest WHERE note <> ''")
        rows = cursor.fetchall()
        for pk, note in rows:
            cursor.execute(
                "UPDATE booking_accessibilityrequest SET note = %s WHERE id = %s",
                [backend.crypto.encrypt(note), pk],
            )


def decrypt_notes(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id, note FROM booking_accessibilityrequest WHERE note <> ''")
        for pk, token in cursor.fetchall():
            cursor.execute(
                "UPDATE booking_accessibilityrequest SET note = %s WHERE id = %s",
                [backend.crypto.decrypt(token), pk],
            )


class Migration(migrations.Migration):
    dependencies = [("booking", "0005_organisers_queue_view_only")]

    operations = [
        migrations.AlterField(
            model_name="accessibilityrequest",
            name="note",
            field=backend.crypto.EncryptedTextField(blank=True, max_length=1000, verbose_name="övrigt"),
        ),
        migrations.RunPython(encrypt_notes, decrypt_notes),
    ]
