"""Idempotency records' kept answers (which hold manage URLs and tokens) encrypted at rest:
the JSON of existing answers is encrypted in place, so a replay still gives the first answer."""

import json

from django.db import migrations

import backend.crypto


def _encrypted(value: str) -> bool:
    try:
        backend.crypto.decrypt(value)
    except (backend.crypto.InvalidToken, UnicodeError):
        return False
    return True


def encrypt_answers(apps, schema_editor):
    """Encrypt every answer not encrypted yet (safe to run twice)."""
    # Raw SQL: the model would try to decrypt the plaintext JSON that is still there.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, response_body FROM booking_idempotencyrecord WHERE response_body IS NOT NULL"
        )
        for pk, body in cursor.fetchall():
            if not isinstance(body, str):  # a driver that already parsed the JSON
                body = json.dumps(body, ensure_ascii=False)
            elif _encrypted(body):
                continue
            cursor.execute(
                "UPDATE booking_idempotencyrecord SET response_body = %s WHERE id = %s",
                [backend.crypto.encrypt(body), pk],
            )


def decrypt_answers(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, response_body FROM booking_idempotencyrecord WHERE response_body IS NOT NULL"
        )
        for pk, body in cursor.fetchall():
            if _encrypted(body):
                cursor.execute(
                    "UPDATE booking_idempotencyrecord SET response_body = %s WHERE id = %s",
                    [backend.crypto.decrypt(body), pk],
                )


class Migration(migrations.Migration):
    dependencies = [("booking", "0011_feed_tokens_encrypted")]

    operations = [
        migrations.AlterField(
            model_name="idempotencyrecord",
            name="response_body",
            field=backend.crypto.EncryptedJSONField(blank=True, null=True),
        ),
        migrations.RunPython(encrypt_answers, decrypt_answers),
    ]
