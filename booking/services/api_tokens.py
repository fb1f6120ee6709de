"""Staff API tokens (`Authorization: Token <key>`), stored as digests.

An account has at most one token. `api_token_issue` makes a new one and returns the key, which
is shown once (by `manage.py grant`); only its SHA-256 digest is kept, as for a booking's
manage token, so a copy of the database lets nobody call the API. Issuing again rotates: the old
key stops working at once.
"""

from django.db import transaction

from booking.models import ApiToken
from booking.services.tokens import token_digest, token_generate

KEY_MAX_LENGTH = 200  # longer than any key we make (32 characters; older keys had 40)


@transaction.atomic
def api_token_issue(user) -> str:
    """A new API key for USER (the old one, if any, dies); returns the key to show once."""
    key, digest = token_generate()
    ApiToken.objects.update_or_create(user=user, defaults={"digest": digest})
    return key


def api_token_revoke(user) -> int:
    deleted, _rows = ApiToken.objects.filter(user=user).delete()
    return deleted


def api_token_user(key: str):
    """The active account holding KEY, or None."""
    if not key or len(key) > KEY_MAX_LENGTH:
        return None
    row = ApiToken.objects.select_related("user").filter(digest=token_digest(key)).first()
    if row is None or not row.user.is_active:
        return None
    return row.user
