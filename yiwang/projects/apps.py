from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "yiwang.projects"
    verbose_name = "工程建设项目（四即）"

    def ready(self):
        from yiwang.core.workflow.checks import register_workflow

        from . import services, workflow  # noqa: F401 - the reaction and the deadline holder register on import

        register_workflow(workflow.WORKFLOW)
