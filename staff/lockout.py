"""The page a locked-out login gets (django-axes' AXES_LOCKOUT_CALLABLE): 429 with Retry-After
and, in words, the time when this username may try again from this address."""

import math
from datetime import timedelta

from axes.helpers import get_client_ip_address, get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.db.models import Max
from django.shortcuts import render
from django.utils import timezone


def lock_ends_at(request, credentials=None):
    """When the lock on this username from this address lifts: its last failure plus the cool-off."""
    cool_off = get_cool_off(request) or timedelta(hours=1)
    last_failure = AccessAttempt.objects.filter(
        username=get_client_username(request, credentials), ip_address=get_client_ip_address(request)
    ).aggregate(last=Max("attempt_time"))["last"]
    return (last_failure or timezone.now()) + cool_off


def locked_out(request, original_response=None, credentials=None):
    ends_at = lock_ends_at(request, credentials)
    seconds = max(1, math.ceil((ends_at - timezone.now()).total_seconds()))
    response = render(
        request,
        "registration/locked_out.html",
        {"ends_at": ends_at, "minutes": max(1, math.ceil(seconds / 60))},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response
