from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "yiwang.catalogue"
    verbose_name = "事项目录"
