"""Encryption at rest and keyed digests: the one place that holds the keys.

Personal data (names, e-mail addresses, phone numbers, accessibility notes, message bodies) is
stored encrypted with Fernet (AES-128-CBC with HMAC-SHA256, from the `cryptography` package).
FIELD_ENCRYPTION_KEYS lists several keys, newest first: MultiFernet encrypts with the first and
decrypts with any, so a key is rotated by putting a new one in front, running
`manage.py reencrypt`, and then dropping the old one.

Fernet is randomised, so an encrypted column cannot be searched. Where we must find a row by
its contact (the lost-link page, opt-outs), we store an HMAC-SHA256 of the normalised value
under CONTACT_HASH_KEY, a key of its own that is never rotated: an opt-out kept only as a digest
cannot be re-hashed, and rotating that key would forget every STOP.
"""

import hashlib
import hmac
import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import FieldError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.lookups import Exact

__all__ = [
    "EncryptedJSONField",
    "EncryptedTextField",
    "InvalidToken",
    "contact_digest",
    "decrypt",
    "encrypt",
    "reencrypt",
    "stored_contact_digest",
]


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode("ascii")) for key in keys])


def _cipher() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(text: str) -> str:
    """The Fernet token of `text` under the newest key. An empty text stays empty (nothing to hide,
    and CHECK constraints that ask for "at least one contact" keep working)."""
    if text == "":
        return ""
    return _cipher().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """The text of a token made by encrypt() under any of the configured keys."""
    if token == "":
        return ""
    return _cipher().decrypt(token.encode("ascii")).decode("utf-8")


def reencrypt(token: str) -> str:
    """The same text encrypted under the newest key (MultiFernet.rotate)."""
    if token == "":
        return ""
    return _cipher().rotate(token.encode("ascii")).decode("ascii")


def contact_digest(value: str) -> str:
    """A keyed digest of an already normalised contact (lower-cased e-mail, E.164 number), for
    lookups and opt-outs; "" for an empty value."""
    if value == "":
        return ""
    key = settings.CONTACT_HASH_KEY.encode("utf-8")
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def stored_contact_digest(contact: str) -> str:
    """The keyed digest a stored contact is found by, in bookings, the outbox and opt-outs
    alike: an e-mail address in lower case, a number in E.164 (already so when cleaned)."""
    return contact_digest(contact.strip().lower())


class _ExactEmpty(Exact):
    """`field=""` on an encrypted column, the one comparison that means something (an empty
    text stays empty). Any other value would silently match nothing: refused, loudly."""

    def get_prep_lookup(self):
        if self.rhs != "":
            raise FieldError("An encrypted column is compared with '' only: find rows by a digest")
        return super().get_prep_lookup()


class EncryptedTextField(models.TextField):
    """A text column whose value is stored as a Fernet token and read back as text.

    Only `isnull` and equality with "" make sense in queries: every encryption of the same text
    differs, so other lookups raise FieldError instead of matching nothing. Use a digest column
    beside it (contact_digest) to find rows by value."""

    description = "Text encrypted at rest (Fernet)"

    def get_lookup(self, lookup_name):
        if lookup_name == "exact":
            return _ExactEmpty
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        return None  # Django answers FieldError: unsupported lookup

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return value
        return encrypt(str(value))


class EncryptedJSONField(EncryptedTextField):
    """A JSON value (dict, list, text, number) stored as the Fernet token of its JSON text, and
    read back as that value; None is SQL NULL. Not queryable, like EncryptedTextField."""

    description = "JSON encrypted at rest (Fernet)"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return json.loads(decrypt(value))

    def to_python(self, value):
        return value

    def get_prep_value(self, value):
        if value is None:
            return value
        return encrypt(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))
