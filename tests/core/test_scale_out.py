"""More than one machine: reads from a replica only before a write; tasks, cache and sessions in
Redis when YIWANG_REDIS_URL is set (a subprocess with that setting, against the real Redis)."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from yiwang.core import dbrouter

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def with_replica(monkeypatch):
    monkeypatch.setattr(settings, "DATABASES", {**settings.DATABASES, "replica": settings.DATABASES["default"]})
    dbrouter.request_started()
    yield
    dbrouter.request_started()


def test_reads_go_to_the_replica_only_inside_replica_reads(with_replica):
    router = dbrouter.ReplicaRouter()
    assert router.db_for_read(None) == "default"
    with dbrouter.replica_reads():
        assert router.db_for_read(None) == "replica"
    assert router.db_for_read(None) == "default"


def test_after_a_write_every_read_of_the_request_stays_on_the_primary(with_replica):
    router = dbrouter.ReplicaRouter()
    with dbrouter.replica_reads():
        assert router.db_for_write(None) == "default"
        assert router.db_for_read(None) == "default"
    dbrouter.request_started()  # the next request
    with dbrouter.replica_reads():
        assert router.db_for_read(None) == "replica"


def test_without_a_replica_configured_reads_stay_on_the_primary():
    dbrouter.request_started()
    with dbrouter.replica_reads():
        assert dbrouter.ReplicaRouter().db_for_read(None) == "default"
    assert dbrouter.ReplicaRouter().allow_migrate("replica", "cases") is False


def _redis_up() -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


def test_with_redis_configured_a_task_is_queued_in_redis_and_run_by_the_worker(tmp_path):
    if not _redis_up():
        if os.environ.get("CI"):
            pytest.fail("Redis at 127.0.0.1:6379 is needed in CI")
        pytest.skip("Redis is not running at 127.0.0.1:6379")
    env = {**os.environ, "YIWANG_REDIS_URL": "redis://127.0.0.1:6379/14",
           "YIWANG_REDIS_PREFIX": f"test-{uuid.uuid4().hex[:8]}",
           "YIWANG_DATABASE_URL": f"sqlite:///{tmp_path / 'probe.sqlite3'}",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "tests"), str(ROOT), os.environ.get("PYTHONPATH", "")])}
    env.pop("YIWANG_TASKS_BACKEND", None)
    key = f"probe-{uuid.uuid4().hex}"
    out = subprocess.run([sys.executable, str(ROOT / "tests" / "core" / "rq_probe.py"), key], env=env,
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-3000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["backend"] == "django_tasks_rq.RQBackend"
    assert got["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert got["sessions"] == "django.contrib.sessions.backends.cached_db"
    assert (got["before"], got["after"]) == (None, "ran")  # queued, not run, until the worker ran it
