"""Re-encrypt every encrypted column with the newest key of FIELD_ENCRYPTION_KEYS.

Rotation: put a new key first in FIELD_ENCRYPTION_KEYS, run this command, then drop the old key.
The keyed digests (CONTACT_HASH_KEY) are not touched: they are never rotated.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from backend.crypto import EncryptedTextField


def encrypted_columns():
    """(model, [field names]) for every concrete model with EncryptedTextField columns."""
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names and not model._meta.proxy:
            yield model, names


def reencrypt_all(batch_size: int = 500, write=None) -> dict[str, int]:
    """Rows re-encrypted per model label. Each row is read (decrypted with any configured key)
    and written back, which encrypts it with the newest key; one transaction per batch."""
    counts = {}
    for model, names in encrypted_columns():
        done = 0
        last_pk = None
        while True:
            rows = model._base_manager.order_by("pk")
            if last_pk is not None:
                rows = rows.filter(pk__gt=last_pk)
            batch = list(rows.only("pk", *names)[:batch_size])
            if not batch:
                break
            with transaction.atomic():
                model._base_manager.bulk_update(batch, names)
            done += len(batch)
            last_pk = batch[-1].pk
        counts[model._meta.label] = done
        if write:
            write(f"{model._meta.label}: {done} rows ({', '.join(names)})")
    return counts


class Command(BaseCommand):
    help = "Re-encrypt every encrypted column with the newest FIELD_ENCRYPTION_KEYS key (digests untouched)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size, **options):
        counts = reencrypt_all(batch_size=batch_size, write=self.stdout.write)
        self.stdout.write(f"re-encrypted {sum(counts.values())} rows in {len(counts)} tables")
