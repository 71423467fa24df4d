from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "yiwang.supervision"
    verbose_name = "审管联动与双随机监管"

    def ready(self):
        from yiwang.core.workflow.checks import register_workflow

        from . import timers, workflow  # noqa: F401 - timer handlers and reactions register on import

        for wf in workflow.WORKFLOWS:
            register_workflow(wf)
