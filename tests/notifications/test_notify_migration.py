"""The migration that encrypts the outbox's recipients and the consent records, and keeps
opt-outs as digests only, on rows written before it (raw SQL, as the old schema had them)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from notifications.models import ConsentEvent, Notification, OptOut
from notifications.services import is_opted_out

BEFORE = [("notifications", "0008_recipient_limit_and_digests")]
AFTER = [("notifications", "0009_encrypt_recipients_and_consents")]


@pytest.mark.django_db(transaction=True)
def test_existing_rows_are_encrypted_and_opt_outs_become_digests():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO notifications_notification (channel, recipient, recipient_digest, template, language,"
            " subject, body, link, due_at, status, status_reason, provider_id, error_code, attempts, dedupe_key,"
            " created_at, updated_at) VALUES ('sms', '+46701234567', '', 'reminder', 'sv', '', '', '', %s,"
            " 'pending', '', '', '', 0, 'old:1', %s, %s)",
            [now, now, now],
        )
        cursor.execute(
            "INSERT INTO notifications_consentevent (phone, action, source, created_at)"
            " VALUES ('+46701234567', 'opt_out', 'sms_keyword', %s)",
            [now],
        )
        cursor.execute(
            "INSERT INTO notifications_optout (phone, source, opted_out_at) VALUES ('+46701234567', 'sms_keyword', %s)",
            [now],
        )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)

    with connection.cursor() as cursor:
        for table in ("notifications_notification", "notifications_consentevent", "notifications_optout"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (a fixed table name)
            raw = " ".join(str(value) for row in cursor.fetchall() for value in row)
            assert "701234567" not in raw, table
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # the models below are today's
    assert Notification.objects.get(dedupe_key="old:1").recipient == "+46701234567"
    assert Notification.objects.for_contact("+46701234567").count() == 1
    assert ConsentEvent.objects.for_contact("+46701234567").get().phone == "+46701234567"
    assert OptOut.objects.count() == 1 and is_opted_out("+46701234567")
