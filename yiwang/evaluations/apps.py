from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "yiwang.evaluations"
    verbose_name = "好差评"

    def ready(self):
        from . import reactions, timers  # noqa: F401 - registers the timer handlers and its case reaction
