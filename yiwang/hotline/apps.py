from django.apps import AppConfig


class HotlineConfig(AppConfig):
    name = "yiwang.hotline"
    verbose_name = "12345热线"

    def ready(self):
        from . import timers  # noqa: F401 - registers the timer handlers
