from django.apps import AppConfig


class WorkcalendarConfig(AppConfig):
    name = "yiwang.workcalendar"
    verbose_name = "工作日历"
