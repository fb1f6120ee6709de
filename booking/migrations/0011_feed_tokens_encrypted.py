"""Private-feed tokens encrypted at rest, found by a SHA-256 digest: existing tokens are
encrypted in place and get their digest, so every feed URL handed out keeps working."""

import hashlib

from django.db import migrations, models

import backend.crypto


def _encrypted(value: str) -> bool:
    try:
        backend.crypto.decrypt(value)
    except (backend.crypto.InvalidToken, UnicodeError):
        return False
    return True


def encrypt_tokens(apps, schema_editor):
    """Encrypt every token not encrypted yet and give it its digest (safe to run twice)."""
    # Raw SQL: the model would try to decrypt the plaintext that is still there.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id, token FROM booking_feedtoken")
        for pk, token in cursor.fetchall():
            if _encrypted(token):
                continue
            cursor.execute(
                "UPDATE booking_feedtoken SET token = %s, digest = %s WHERE id = %s",
                [backend.crypto.encrypt(token), hashlib.sha256(token.encode("utf-8")).hexdigest(), pk],
            )


def decrypt_tokens(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id, token FROM booking_feedtoken")
        for pk, token in cursor.fetchall():
            if _encrypted(token):
                cursor.execute(
                    "UPDATE booking_feedtoken SET token = %s, digest = NULL WHERE id = %s",
                    [backend.crypto.decrypt(token), pk],
                )


class Migration(migrations.Migration):
    dependencies = [("booking", "0010_token_digests")]

    operations = [
        migrations.AddField(
            model_name="feedtoken",
            name="digest",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.AlterField(
            model_name="feedtoken",
            name="token",
            field=backend.crypto.EncryptedTextField(editable=False),
        ),
        migrations.RunPython(encrypt_tokens, decrypt_tokens),
        migrations.AlterField(
            model_name="feedtoken",
            name="digest",
            field=models.CharField(editable=False, max_length=64, unique=True),
        ),
    ]
