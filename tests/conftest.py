import os

import pytest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.settings")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with the demo data set (loaded once per session)."""
    from yiwang.demo.loader import load_demo

    with django_db_blocker.unblock():
        load_demo()


def pytest_configure(config):
    from django.conf import settings

    # Hashing forty demo passwords with PBKDF2 would cost seconds in every session.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api_client():
    from django.test import Client

    return Client()


@pytest.fixture
def demo_tx(transactional_db):
    """For tests that need real transactions (threads, live server): the demo data, loaded anew,
    because a transactional test empties the database when it ends."""
    from yiwang.demo.loader import load_demo
    from yiwang.workcalendar import index

    index.invalidate()
    load_demo()
    yield
    index.invalidate()


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def browser_page(live_server, demo_tx):
    """A Playwright page in Debian's Chromium against the live server; skipped where it is absent."""
    if not os.path.exists(CHROMIUM):
        message = f"Debian's Chromium is not at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") or os.environ.get("YIWANG_REQUIRE_BROWSER"):
            pytest.fail(message + ": CI must run the browser tests, never skip them")
        pytest.skip(message + ": browser test skipped")
    # Playwright's sync API runs an event loop in this thread; Django's DB calls here are still sync.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.base_url = live_server.url
        try:
            yield page
        finally:
            context.close()
            browser.close()


ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "test-artifacts")


@pytest.fixture
def artifacts_dir():
    os.makedirs(ARTIFACTS, exist_ok=True)
    return ARTIFACTS


def login(page, username: str, password: str = "Demo@2026") -> None:
    """Log a browser page in through the login form."""
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.press("input[name=password]", "Enter")  # the header's search form has a submit button too
    page.wait_for_load_state()


@pytest.fixture
def postgres(demo_tx):
    """Real-thread concurrency tests need PostgreSQL: SQLite serialises writers."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("concurrency tests need PostgreSQL (SQLite serialises writers): "
                    "run with YIWANG_DATABASE_URL=postgres://...")


def _run_threads(fn, n: int, *, timeout: float = 120):
    """Run fn(0) … fn(n-1) in n threads released at once; [("ok", value) | ("error", exc)] in order."""
    import threading

    from django.db import connections

    barrier = threading.Barrier(n)
    results: list = [None] * n

    def worker(i):
        try:
            barrier.wait()
            results[i] = ("ok", fn(i))
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread met
            results[i] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return results


@pytest.fixture
def run_threads():
    """_run_threads as a fixture, for the concurrency tests of every app."""
    return _run_threads


def assert_history_append_only(event) -> None:
    """Every way of editing or removing a history row is refused: saving it changed, deleting it, and
    its queryset's update, delete and raw delete (the one check every workflow's history must pass)."""
    from yiwang.core.workflow.history import HistoryIsAppendOnly

    model = type(event)
    event.reason = "改写"
    with pytest.raises(HistoryIsAppendOnly):
        event.save()
    with pytest.raises(HistoryIsAppendOnly):
        event.delete()
    with pytest.raises(HistoryIsAppendOnly):
        model.objects.filter(pk=event.pk).update(reason="改写")
    with pytest.raises(HistoryIsAppendOnly):
        model.objects.filter(pk=event.pk).delete()
    with pytest.raises(HistoryIsAppendOnly):
        model.objects.filter(pk=event.pk)._raw_delete("default")


class _Rollback(Exception):
    """Raised inside a tried action's transaction so that nothing it wrote stays."""


def accepted_in_rollback(attempt) -> bool:
    """Whether `attempt()` (one workflow action) is accepted, tried in a transaction that is rolled back;
    a refusal (DomainError: 400/403/404/409) is False. What every "offered = accepted" test asks."""
    from django.db import transaction

    from yiwang.core.errors import DomainError

    try:
        with transaction.atomic():
            attempt()
            raise _Rollback
    except _Rollback:
        return True
    except DomainError:
        return False


def relay_killed_at_mark(monkeypatch, row, relay) -> None:
    """Run relay() with the worker killed as it marks this outbox row sent: the row's work done in the
    transaction, which then dies with it (the crash between a reaction and its commit)."""
    from yiwang.core.models import OutboxMessage

    real_save = OutboxMessage.save

    def crash(self, *args, **kwargs):
        if self.pk == row.pk and "sent_at" in (kwargs.get("update_fields") or ()):
            raise SystemExit("worker killed")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(OutboxMessage, "save", crash)
    with pytest.raises(SystemExit):
        relay()
    monkeypatch.setattr(OutboxMessage, "save", real_save)
