"""HTTP hardening: a Content-Security-Policy that every template passes (no inline script, no on*
handlers), no-store on pages of a signed-in user, a session idle timeout, HTTPS settings from the
environment, and the API docs served without a CDN."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "yiwang").rglob("templates/**/*.html"))
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_has_inline_script_or_event_handler_attributes(template):
    text = template.read_text(encoding="utf-8")
    assert not INLINE_SCRIPT.search(text), "inline <script>: move it to a static .js file"
    assert not HANDLER.search(text), "on…= handler: use data-confirm / data-autosubmit (static/yiwang/ui.js)"


def test_pages_carry_a_content_security_policy_without_unsafe_script():
    r = Client().get("/")
    csp = r["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp and r["X-Frame-Options"] == "DENY"


def test_the_api_docs_use_the_platforms_own_static_files():
    html = Client().get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html and "cdn" not in html.lower()


def test_a_signed_in_users_pages_are_not_stored_and_public_ones_may_be():
    c = Client()
    assert "no-store" not in Client().get("/").get("Cache-Control", "")
    c.login(username="xtkj", password="Demo@2026")
    assert c.get("/me/cases/")["Cache-Control"] == "no-store"


@pytest.mark.parametrize(("username", "idle_minutes", "signed_out"), [
    ("clerk", 31, True), ("clerk", 29, False), ("xtkj", 31, False), ("xtkj", 121, True),
])
def test_an_idle_session_is_signed_out_after_its_roles_limit(username, idle_minutes, signed_out):
    c = Client()
    c.login(username=username, password="Demo@2026")
    session = c.session
    session["_seen_at"] = int(time.time()) - idle_minutes * 60
    session.save()
    r = c.get("/me/messages/")
    assert (r.status_code == 302 and "/accounts/login/" in r["Location"]) == signed_out
    if signed_out:
        assert "因长时间未操作" in c.get(r["Location"]).content.decode()


def test_https_settings_come_from_the_environment():
    code = ("import django,os;os.environ['DJANGO_SETTINGS_MODULE']='yiwang.settings';django.setup();"
            "from django.conf import settings as s;"
            "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)")
    env = {**os.environ, "YIWANG_HTTPS": "1", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["True", "True", "True", "31536000"], out.stderr[-2000:]
