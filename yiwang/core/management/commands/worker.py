"""`yiwang worker`: fire due timers, relay the outbox, run queued django-tasks — in a loop.

Each tick: timers_fire_due (each timer once, in the transaction of its effect), the outbox relay
(through the configured notification sender), then every ready task of the database task backend
(django_tasks_db's Worker in batch mode). SIGTERM/SIGINT finish the current tick and stop cleanly;
`--once` runs one tick (tests, cron). Several workers may run at once: timers, messages and tasks
are each claimed with row locks (SKIP LOCKED on PostgreSQL).
"""

import logging
import signal
import time
import uuid

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

from yiwang.core.audit import audit_seal
from yiwang.core.notifications import get_sender
from yiwang.core.outbox import outbox_relay
from yiwang.core.timers import timers_fire_due

log = logging.getLogger("yiwang.worker")


def run_rq_tasks(*, worker_id: str, limit: int = 100) -> None:
    """The RQ backend (YIWANG_REDIS_URL): run what is queued in Redis, in this process (no fork per
    job), then return to the tick. Several workers on several machines share the queue."""
    import django_rq
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    names = settings.TASKS["default"].get("QUEUES", ["default"])
    queues = [django_rq.get_queue(name, job_class=Job) for name in names]
    worker = SimpleWorker(queues, connection=queues[0].connection, job_class=Job,
                          name=f"{worker_id}-{uuid.uuid4().hex[:6]}")
    worker.work(burst=True, max_jobs=limit, with_scheduler=False, logging_level="WARNING")


def run_tasks(*, worker_id: str, limit: int = 100) -> None:
    backend = settings.TASKS.get("default", {}).get("BACKEND", "")
    if backend == "django_tasks_rq.RQBackend":
        run_rq_tasks(worker_id=worker_id, limit=limit)
        return
    if backend != "django_tasks_db.DatabaseBackend":
        return  # another backend (immediate) runs its tasks itself
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult
    from django_tasks_db.utils import exclusive_transaction

    # django_tasks_db's own claim-and-run steps, without its loop (which closes the connection, and
    # which installs its own signal handlers): claim one ready task under a lock, run it, repeat.
    worker = Worker(queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
                    max_tasks=None, worker_id=worker_id, excluded_queue_names=[])
    for _ in range(limit):
        tasks = DBTaskResult.objects.ready().filter(backend_name="default")
        with exclusive_transaction(tasks.db):
            task_result = tasks.get_locked()
            if task_result is not None:
                task_result.claim(worker_id)
        if task_result is None:
            return
        worker.run_task(task_result)


def tick(*, worker_id: str) -> dict:
    """One round of everything the worker does. Returns what it did."""
    from yiwang.core.dbrouter import request_started

    request_started()  # a new unit of work: reads may use the replica until something is written
    hooks = _tick_hooks()
    for hook in hooks:
        hook()
    fired = timers_fire_due()
    sent = outbox_relay(send=get_sender().send)
    audit_seal()  # chain the audit rows written since the last tick
    run_tasks(worker_id=worker_id)
    return {"timers": fired, "messages": sent}


def _tick_hooks() -> list:
    """Start-of-tick hooks apps need (the cases app keeps its daily due sweep scheduled)."""
    hooks = []
    try:
        from yiwang.cases.handlers import due_sweep_ensure

        hooks.append(due_sweep_ensure)
    except ImportError:  # pragma: no cover - the cases app is always installed
        pass
    from django.apps import apps

    if apps.is_installed("yiwang.dashboards"):  # the dashboard's rollup follows the events every tick
        from yiwang.dashboards.services import rollup_refresh

        hooks.append(rollup_refresh)
    if apps.is_installed("yiwang.hotline"):  # the 12345 简报 of this day, week and month will be issued
        from yiwang.hotline.editions import bulletin_schedule_ensure

        hooks.append(bulletin_schedule_ensure)
    if apps.is_installed("yiwang.ledger"):  # this month's ledger reports exist, with their timers
        from yiwang.ledger.services import months_open_current

        hooks.append(months_open_current)
    return hooks


class Command(BaseCommand):
    help = "后台任务：定时器、发件箱、异步任务（--once 只运行一轮）"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run one tick and exit")
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between ticks")

    def handle(self, *args, once: bool = False, interval: float = 5.0, **options):
        self.stopping = False
        worker_id = f"yiwang-{uuid.uuid4().hex[:8]}"
        if not once:
            signal.signal(signal.SIGTERM, self._stop)
            signal.signal(signal.SIGINT, self._stop)
            self.stdout.write(f"worker {worker_id} started (interval {interval}s)")
        while True:
            if not connection.in_atomic_block:
                close_old_connections()
            try:
                did = tick(worker_id=worker_id)
                if did["timers"] or did["messages"]:
                    log.info("tick: %s", did)
            except Exception:  # noqa: BLE001 - a bad tick is logged; the loop goes on
                log.exception("worker tick failed")
                if once:
                    raise
            if once or self.stopping:
                break
            slept = 0.0
            while slept < interval and not self.stopping:
                time.sleep(0.2)
                slept += 0.2
        if not once:
            self.stdout.write(f"worker {worker_id} stopped")

    def _stop(self, signum, frame):
        self.stopping = True
