from django.apps import AppConfig


class KbConfig(AppConfig):
    name = "yiwang.kb"
    verbose_name = "知识库"

    def ready(self):
        from . import signals

        signals.connect()
