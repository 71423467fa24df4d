from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "yiwang.documents"
    verbose_name = "办件文书"

    def ready(self):
        from . import reactions  # noqa: F401 - registers the case workflow's after-commit reaction
