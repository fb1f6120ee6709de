"""Health probes: /healthz (this web node reaches its database) and /healthz/worker (a queue
worker was seen within WORKER_STALE_AFTER, two minutes by default). Separate, so that a dead
worker never takes web nodes out of a load balancer."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure to reach the database is the answer, not a crash
        return JsonResponse(
            {"status": "error", "database": "unreachable", "reason": str(exc)[:200]}, status=503
        )
    return JsonResponse({"status": "ok", "database": "ok"})


def worker_status() -> tuple[bool, dict]:
    """(healthy, body): has a queue worker written its heartbeat within WORKER_STALE_AFTER?

    The body lists every worker seen within a day (host:process, age), so that an operator sees
    which one stopped; one live worker is enough to be healthy."""
    from notifications.models import WorkerHeartbeat

    window = settings.WORKER_STALE_AFTER
    now = timezone.now()
    try:
        seen = list(
            WorkerHeartbeat.objects.filter(seen_at__gte=now - window * 720)
            .order_by("-seen_at")
            .values_list("name", "seen_at")[:50]
        )
    except Exception as exc:  # the database being down is an answer too
        return False, {"status": "error", "reason": f"database unreachable: {str(exc)[:200]}"}
    if not seen:
        return False, {"status": "error", "reason": "no worker has been seen"}
    workers = [
        {
            "name": name,
            "last_seen": at.isoformat(),
            "age_seconds": int((now - at).total_seconds()),
            "alive": now - at <= window,
        }
        for name, at in seen
    ]
    latest = workers[0]
    body = {
        "last_seen": latest["last_seen"],
        "age_seconds": latest["age_seconds"],
        "stale_after_seconds": int(window.total_seconds()),
        "alive": sum(worker["alive"] for worker in workers),
        "workers": workers,
    }
    if not latest["alive"]:
        return False, {
            "status": "error",
            "reason": f"no worker seen within {body['stale_after_seconds']} s",
            **body,
        }
    return True, {"status": "ok", **body}


@never_cache
def healthz_worker(request):
    healthy, body = worker_status()
    return JsonResponse(body, status=200 if healthy else 503)
