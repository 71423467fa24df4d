"""System check: every reaction a workflow declares is registered by some module."""

from django.core import checks

from . import reactions

_workflows: list = []


def register_workflow(workflow) -> None:
    if all(w.name != workflow.name for w in _workflows):
        _workflows.append(workflow)


def workflows() -> list:
    return list(_workflows)


def workflow_named(name: str):
    """The registered workflow of that name (an after-commit reaction's payload names its workflow)."""
    for w in _workflows:
        if w.name == name:
            return w
    raise LookupError(f"no workflow named {name} is registered")


@checks.register()
def check_reactions(app_configs=None, **kwargs):
    errors = []
    for wf in _workflows:
        for r in wf.reactions:
            if not reactions.registered(r.name):
                errors.append(checks.Error(f"workflow {wf.name} declares reaction {r.name}, which nothing registers",
                                           id="yiwang.W001"))
    return errors
