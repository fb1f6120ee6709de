"""django-q2 entry points, run by `python manage.py qcluster` on the schedules that migration
0003 creates once (every minute). Each loads what it needs and calls a service."""

import os
import socket
from datetime import timedelta

from django.utils import timezone

from booking.services.waitlist import offers_expire
from notifications.dispatch import dispatch_pass
from notifications.models import WorkerHeartbeat


def dispatch_due() -> dict:
    """One dispatch pass (what `manage.py send_reminders` runs); safe to overlap with others."""
    heartbeat()
    return dict(dispatch_pass())


def expire_offers() -> int:
    """Pass unclaimed waitlist offers on (the booking engine decides how)."""
    heartbeat()
    return offers_expire()


def worker_name() -> str:
    """This queue worker as /healthz/worker names it: host and the qcluster's process.

    A task runs in a worker process whose parent is its cluster's sentinel, so two clusters on
    one machine (or in one container host) write two rows, and a restarted cluster a new one."""
    return f"{socket.gethostname()}:{os.getppid()}"[:100]


def heartbeat() -> None:
    """Tell /healthz/worker that a queue worker is alive."""
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(name=worker_name(), defaults={"seen_at": now})
    WorkerHeartbeat.objects.filter(seen_at__lt=now - timedelta(days=7)).delete()  # workers gone
