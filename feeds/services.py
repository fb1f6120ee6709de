"""The private calendar feed's URL. The tokens themselves are the domain's
(booking.services.feed_tokens); their names are imported here too, for callers of the old path.
"""

from django.conf import settings
from django.urls import reverse

from booking.models import FeedToken
from booking.services.feed_tokens import feed_token_for, feed_token_revoke, feed_token_rotate

__all__ = ["feed_token_for", "feed_token_revoke", "feed_token_rotate", "private_feed_url"]


def private_feed_url(token: FeedToken) -> str:
    return settings.PUBLIC_BASE_URL + reverse("feeds:private", kwargs={"token": token.token})
