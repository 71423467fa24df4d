"""Run in a subprocess with YIWANG_REDIS_URL set: enqueue a task, run one worker tick, report."""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402

from core.tasks_probe import record  # noqa: E402
from yiwang.core.management.commands.worker import run_tasks  # noqa: E402

key = sys.argv[1]
result = record.enqueue(key=key, value="ran")
before = cache.get(key)
run_tasks(worker_id="probe")
print(json.dumps({
    "backend": settings.TASKS["default"]["BACKEND"], "cache": settings.CACHES["default"]["BACKEND"],
    "sessions": settings.SESSION_ENGINE, "before": before, "after": cache.get(key), "task_id": result.id,
}))
