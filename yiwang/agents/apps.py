from django.apps import AppConfig


class AgentsConfig(AppConfig):
    name = "yiwang.agents"
    verbose_name = "帮办代办"

    def ready(self):
        from yiwang.core.workflow.checks import register_workflow

        from . import timers  # noqa: F401 - registers the expiry timer
        from .workflow import WORKFLOW

        register_workflow(WORKFLOW)
