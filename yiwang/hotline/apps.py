from django.apps import AppConfig


class HotlineConfig(AppConfig):
    name = "yiwang.hotline"
    verbose_name = "12345热线"
