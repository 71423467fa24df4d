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
        pytest.skip(f"Debian's Chromium is not at {CHROMIUM}: browser test skipped (apt-get install chromium)")
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
