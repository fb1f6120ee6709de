"""`Authorization: Token <key>` for staff calls, with only the key's digest in the database."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from booking.services.api_tokens import api_token_user


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token scheme (same header, same 401 with `WWW-Authenticate: Token`), looked up by
    digest (booking.services.api_tokens) instead of rest_framework.authtoken's plaintext key."""

    def authenticate_credentials(self, key):
        user = api_token_user(key)
        if user is None:
            # DRF's own message (and its translations), as before the digests.
            raise exceptions.AuthenticationFailed(_("Ogiltig API-nyckel."))
        return (user, None)
