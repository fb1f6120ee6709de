"""Private calendar feed tokens: one active token per user, rotatable and revocable.

The token is stored encrypted (it is shown again) beside its digest, by which a feed request
finds it (feeds.selectors.feed_token_user). The feeds face renders the URL
(feeds.services.private_feed_url); GET /api/v1/me/ shows it, and the rotate endpoint calls
`feed_token_rotate(user)`, after which the old URL answers 404.
"""

import secrets

from django.db import transaction
from django.utils import timezone

from booking.models import FeedToken
from booking.services.tokens import token_digest


def _token_new(user) -> FeedToken:
    token = secrets.token_urlsafe(32)
    return FeedToken.objects.create(user=user, token=token, digest=token_digest(token))


def feed_token_for(user) -> FeedToken:
    """The user's active feed token, created on first use."""
    with transaction.atomic():
        token = (
            FeedToken.objects.select_for_update()
            .filter(user=user, revoked_at__isnull=True)
            .order_by("-created_at", "-pk")
            .first()
        )
        return token or _token_new(user)


def feed_token_rotate(user) -> FeedToken:
    """Revoke every active token of the user and give a new one (the old URL stops working)."""
    with transaction.atomic():
        FeedToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        return _token_new(user)


def feed_token_revoke(user) -> int:
    """Revoke without replacing (e.g. when a staff member leaves)."""
    return FeedToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
