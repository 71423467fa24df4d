"""Background tasks of the engine (django-tasks; run by `yiwang worker`)."""

from datetime import date

from django_tasks import task


@task()
def deadlines_recompute(since: str) -> dict:
    from .deadlines import recompute_all

    return recompute_all(since=date.fromisoformat(since))
