from django.apps import AppConfig


class PartiesConfig(AppConfig):
    name = "yiwang.parties"
    verbose_name = "办事主体"

    def ready(self):
        from . import reactions  # noqa: F401 - registers its reaction to the case workflow
