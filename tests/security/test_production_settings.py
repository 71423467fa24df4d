"""Defaults that must not reach production (issue 12, item 3)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = "import django; django.setup(); from django.conf import settings; print('DEBUG', settings.DEBUG)"


def start(env: dict) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("YIWANG_") and k != "PYTEST_VERSION"}
    base.update(DJANGO_SETTINGS_MODULE="yiwang.settings", PYTHONPATH=str(ROOT), **env)
    return subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=base, capture_output=True, text=True,
                          timeout=120)


def test_production_refuses_to_start_without_a_real_secret_key_and_master_key():
    for env in ({}, {"YIWANG_SECRET_KEY": "dev-only-insecure-key-change-me-in-production", "YIWANG_MASTER_KEY": "m" * 40},
                {"YIWANG_SECRET_KEY": "s" * 50}):
        r = start(env)
        assert r.returncode != 0 and "拒绝启动" in r.stderr, (env, r.stdout)


def test_debug_is_off_unless_asked_for_and_keys_can_come_from_files(tmp_path):
    from yiwang.localkeys import ensure_keys

    made = ensure_keys(tmp_path)
    assert {p.name for p in made} == {"secret_key", "master_key"} and ensure_keys(tmp_path) == []
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"
    r = start({"YIWANG_SECRET_KEY_FILE": str(tmp_path / "secret_key"),
               "YIWANG_MASTER_KEY_FILE": str(tmp_path / "master_key")})
    assert r.returncode == 0 and "DEBUG False" in r.stdout, r.stderr
    assert "DEBUG True" in start({"YIWANG_DEBUG": "1"}).stdout


@pytest.mark.django_db
def test_errors_are_chinese_pages_and_json_under_the_api(client):
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and "页面不存在" in page.content.decode()
    api = client.get("/api/v1/no-such-endpoint")
    assert api.status_code == 404 and api.json()["error"] == "not_found"
    from django.test import RequestFactory

    from yiwang.core.handlers import server_error

    page = server_error(RequestFactory().get("/"))
    assert page.status_code == 500 and "系统繁忙" in page.content.decode()
    api = server_error(RequestFactory().get("/api/v1/cases"))
    assert api.status_code == 500 and api["Content-Type"].startswith("application/json")
