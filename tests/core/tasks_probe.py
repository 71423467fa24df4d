"""A task for the scale-out test's subprocess: it records that it ran, in Redis."""

from django_tasks import task


@task()
def record(key: str, value: str) -> str:
    from django.core.cache import cache

    cache.set(key, value, 60)
    return value
