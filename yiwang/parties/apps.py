from django.apps import AppConfig


class PartiesConfig(AppConfig):
    name = "yiwang.parties"
    verbose_name = "办事主体"
