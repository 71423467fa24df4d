from django.apps import AppConfig


class BundleCasesConfig(AppConfig):
    name = "yiwang.bundlecases"
    verbose_name = "一件事一次办（办件）"

    def ready(self):
        from . import reactions  # noqa: F401 - registers its reaction to the case workflow
