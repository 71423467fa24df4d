from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "yiwang.policies"
    verbose_name = "惠企政策兑现"

    def ready(self):
        from yiwang.core.workflow.checks import register_workflow

        from . import reactions, timers  # noqa: F401 - timer handlers, deadline holder, reactions
        from .workflow import GRANT_WORKFLOW

        register_workflow(GRANT_WORKFLOW)
