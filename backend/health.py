"""Health probes: /healthz (this web node reaches its database) and /healthz/worker (a queue
worker was seen in the last two minutes). Separate, so that a dead worker never takes web
nodes out of a load balancer."""

from datetime import timedelta

from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

WORKER_STALE_AFTER = timedelta(minutes=2)


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
    """(healthy, body): has a queue worker written its heartbeat within WORKER_STALE_AFTER?"""
    from notifications.models import WorkerHeartbeat

    try:
        latest = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    except Exception as exc:  # the database being down is an answer too
        return False, {"status": "error", "reason": f"database unreachable: {str(exc)[:200]}"}
    if latest is None:
        return False, {"status": "error", "reason": "no worker has ever been seen"}
    age = timezone.now() - latest
    body = {"last_seen": latest.isoformat(), "age_seconds": int(age.total_seconds())}
    if age > WORKER_STALE_AFTER:
        return False, {"status": "error", "reason": "no worker seen for over two minutes", **body}
    return True, {"status": "ok", **body}


@never_cache
def healthz_worker(request):
    healthy, body = worker_status()
    return JsonResponse(body, status=200 if healthy else 503)
