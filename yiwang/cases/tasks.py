"""Background tasks (django-tasks; the database backend by default, run by `yiwang worker`)."""

from datetime import date

from django_tasks import task


@task()
def recompute_deadlines(since: str) -> int:
    from .services import cases_due_sweep, cases_recompute_deadlines

    moved = cases_recompute_deadlines(since=date.fromisoformat(since))
    cases_due_sweep()
    return moved
