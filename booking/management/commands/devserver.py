"""Development: the web server and the queue worker in one command; Ctrl-C stops both.

The worker (`manage.py qcluster`) is started once, by the outer process: runserver's reloader
re-runs this command in a child process (RUN_MAIN=true), which must not start a second one.
"""

import os
import signal
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the development web server together with the django-q2 worker (qcluster)."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--noreload", action="store_true", help="do not restart on code changes")
        parser.add_argument("--no-worker", action="store_true", help="do not start the queue worker")

    def handle(self, *args, addrport, noreload=False, no_worker=False, **options):
        worker = None
        if not no_worker and os.environ.get("RUN_MAIN") != "true":
            worker = subprocess.Popen([sys.executable, "manage.py", "qcluster"])
            self.stdout.write(f"Queue worker started (pid {worker.pid}).")
            # A plain `kill` should stop both, as Ctrl-C does.
            signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
        try:
            call_command("runserver", addrport, use_reloader=not noreload)
        except KeyboardInterrupt:
            pass
        finally:
            if worker is not None:
                self._stop(worker)

    def _stop(self, worker: subprocess.Popen) -> None:
        if worker.poll() is None:
            worker.send_signal(signal.SIGINT)  # qcluster finishes its tasks and stops
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        self.stdout.write("Queue worker stopped.")
