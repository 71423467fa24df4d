from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "yiwang.dashboards"
    label = "dashboards"
    verbose_name = "领导驾驶舱"
