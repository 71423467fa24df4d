from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "yiwang.ledger"
    label = "ledger"
    verbose_name = "改革台账"

    def ready(self) -> None:
        from yiwang.core.workflow.checks import register_workflow

        from . import timers  # noqa: F401 - registers the reminder and overdue timers
        from .workflow import WORKFLOW

        register_workflow(WORKFLOW)
