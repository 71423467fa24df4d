from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "yiwang.core"
    verbose_name = "核心"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - logins and failed logins into the audit log
        from .workflow import (
            checks,  # noqa: F401 - registers the reactions check
            receivers,  # noqa: F401 - the calendar listener of every deadline holder
        )
