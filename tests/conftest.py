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
