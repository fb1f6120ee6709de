"""Bookings' names, e-mail addresses and phone numbers encrypted at rest, with keyed digests of
the normalised e-mail address and number to find a booking by (the lost-link page, the admin's
search). Existing rows are encrypted in place and their digests filled in."""

from django.db import migrations, models

import backend.crypto

BATCH = 1000


def _rows(cursor, last_id):
    cursor.execute(
        "SELECT id, name, email, phone FROM booking_booking WHERE id > %s ORDER BY id LIMIT %s",
        [last_id, BATCH],
    )
    return cursor.fetchall()


def encrypt_contacts(apps, schema_editor):
    # Raw SQL: the historical model would try to decrypt the plaintext that is still there.
    crypto = backend.crypto
    with schema_editor.connection.cursor() as cursor:
        last_id = 0
        while rows := _rows(cursor, last_id):
            cursor.executemany(
                "UPDATE booking_booking SET name = %s, email = %s, phone = %s,"
                " email_digest = %s, phone_digest = %s WHERE id = %s",
                [
                    (
                        crypto.encrypt(name),
                        crypto.encrypt(email),
                        crypto.encrypt(phone),
                        crypto.contact_digest(email.lower()),  # as booking.selectors.contacts
                        crypto.contact_digest(phone),
                        pk,
                    )
                    for pk, name, email, phone in rows
                ],
            )
            last_id = rows[-1][0]


def decrypt_contacts(apps, schema_editor):
    crypto = backend.crypto
    with schema_editor.connection.cursor() as cursor:
        last_id = 0
        while rows := _rows(cursor, last_id):
            cursor.executemany(
                "UPDATE booking_booking SET name = %s, email = %s, phone = %s,"
                " email_digest = '', phone_digest = '' WHERE id = %s",
                [
                    (crypto.decrypt(name), crypto.decrypt(email), crypto.decrypt(phone), pk)
                    for pk, name, email, phone in rows
                ],
            )
            last_id = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [("booking", "0007_schedules")]

    operations = [
        migrations.RemoveIndex(model_name="booking", name="booking_email"),
        migrations.RemoveIndex(model_name="booking", name="booking_phone"),
        migrations.AddField(
            model_name="booking",
            name="email_digest",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="booking",
            name="phone_digest",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name="booking",
            name="email",
            field=backend.crypto.EncryptedTextField(blank=True, max_length=254, verbose_name="e-post"),
        ),
        migrations.AlterField(
            model_name="booking",
            name="name",
            field=backend.crypto.EncryptedTextField(blank=True, max_length=120, verbose_name="namn"),
        ),
        migrations.AlterField(
            model_name="booking",
            name="phone",
            field=backend.crypto.EncryptedTextField(
                blank=True, max_length=16, verbose_name="mobilnummer (E.164)"
            ),
        ),
        migrations.AddIndex(
            model_name="booking",
            index=models.Index(fields=["email_digest"], name="booking_email_digest"),
        ),
        migrations.AddIndex(
            model_name="booking",
            index=models.Index(fields=["phone_digest"], name="booking_phone_digest"),
        ),
        migrations.RunPython(encrypt_contacts, decrypt_contacts),
    ]
