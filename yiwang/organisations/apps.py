from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "yiwang.organisations"
    verbose_name = "组织机构"
