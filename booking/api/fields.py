"""Serializer fields shared by the API's inputs."""

import unicodedata

from rest_framework import serializers


class CodeField(serializers.SlugRelatedField):
    """A code from a reference table (an audience, a language tag). A value that no code can
    be — not a string, too long, or with control characters such as NUL, which PostgreSQL
    refuses in a query — is "does not exist", before the database is asked."""

    MAX_LENGTH = 64

    def to_internal_value(self, data):
        if (
            not isinstance(data, str)
            or len(data) > self.MAX_LENGTH
            or any(unicodedata.category(ch) in ("Cc", "Cs") for ch in data)
        ):
            self.fail(
                "does_not_exist",
                slug_name=self.slug_field,
                value=str(data)[:64].encode("unicode_escape").decode(),
            )
        return super().to_internal_value(data)


class CodeKeyField(serializers.PrimaryKeyRelatedField):
    """A reference row by its code as primary key, with CodeField's guard before the query."""

    def to_internal_value(self, data):
        if isinstance(data, str) and (
            len(data) > CodeField.MAX_LENGTH or any(unicodedata.category(ch) in ("Cc", "Cs") for ch in data)
        ):
            self.fail("does_not_exist", pk_value=data[:64].encode("unicode_escape").decode())
        return super().to_internal_value(data)
