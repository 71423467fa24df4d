from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "yiwang.supervision"
    verbose_name = "审管联动与双随机监管"

    def ready(self):
        from yiwang.core.workflow.checks import register_workflow

        # services registers the after-commit reactions (task_from_approval, …): imported here, not
        # only through the URLconf, so that the system check and a worker without URLs find them.
        from . import services, timers, workflow  # noqa: F401 - timer handlers and reactions register on import

        for wf in workflow.WORKFLOWS:
            register_workflow(wf)
