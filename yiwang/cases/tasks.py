"""Background tasks (django-tasks; the database backend by default, run by `yiwang worker`).

A calendar change is handled by core.workflow (every deadline holder, the cases' among them); this
task recomputes the cases' alone, for the benchmark and for an operator who wants just that."""

from datetime import date

from django_tasks import task


@task()
def recompute_deadlines(since: str) -> int:
    from .services import cases_recompute_deadlines

    return cases_recompute_deadlines(since=date.fromisoformat(since))
