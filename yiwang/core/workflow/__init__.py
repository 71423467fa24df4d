"""The one workflow engine (see docs/architecture.md).

Declare a workflow with `spec` (Workflow, action, guard, react), its history with
`history.EventBase`, and change a subject only through `apply`. Pages and the API offer exactly
`available_actions`.
"""

from .checks import workflow_named
from .engine import REACTION_TOPIC, Available, apply, available_actions, react_created
from .spec import (
    SAME,
    SYSTEM,
    Action,
    ActionInput,
    Context,
    Effect,
    Guard,
    NoInput,
    React,
    Refusal,
    Workflow,
    action,
    edges_from,
    guard,
    react,
)

__all__ = [
    "REACTION_TOPIC", "SAME", "SYSTEM", "Action", "ActionInput", "Available", "Context", "Effect", "Guard",
    "NoInput", "React", "Refusal", "Workflow", "action", "apply", "available_actions", "edges_from", "guard",
    "react", "react_created", "workflow_named",
]
