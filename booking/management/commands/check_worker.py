from django.core.management.base import BaseCommand, CommandError

from backend.health import worker_status


class Command(BaseCommand):
    help = (
        "Exit 0 when a queue worker has been seen within WORKER_STALE_AFTER (2 minutes), 1 when not "
        "(the worker container's healthcheck; the same test as GET /healthz/worker)."
    )

    def handle(self, *args, **options):
        healthy, body = worker_status()
        if not healthy:
            raise CommandError(body.get("reason", "worker not seen"))
        self.stdout.write(f"ok: last seen {body['last_seen']}")
