from django.apps import AppConfig


class HotlineConfig(AppConfig):
    name = "yiwang.hotline"
    verbose_name = "12345热线"

    def ready(self):
        from . import editions, services, timers, workflow  # noqa: F401 - deadline holder, timer handlers, workflow, reaction
