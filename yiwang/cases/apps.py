from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "yiwang.cases"
    verbose_name = "办件"

    def ready(self) -> None:
        from . import handlers  # noqa: F401 - registers the timer handlers and the calendar listener
