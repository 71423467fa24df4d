"""The official working-day calendar: holidays and 调休 working days, by year.

Only exceptions to the Monday–Friday week are stored. A year is "covered" when it has a
CalendarYear row; dates in other years are computed provisionally from weekends alone.
"""

from django.db import models


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", "法定节假日（休息）"
    WORKDAY = "workday", "调休上班日"


class CalendarYear(models.Model):
    year = models.PositiveIntegerField("年份", primary_key=True)
    source = models.CharField("来源", max_length=64, help_text="chinesecalendar、文件导入或手工维护")
    loaded_at = models.DateTimeField("导入时间", auto_now=True)
    note = models.CharField("说明", max_length=200, blank=True, default="")

    class Meta:
        verbose_name = verbose_name_plural = "日历年度"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年"


class CalendarDay(models.Model):
    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=16, choices=DayKind.choices)
    name = models.CharField("名称", max_length=64, blank=True, default="")

    class Meta:
        verbose_name = verbose_name_plural = "节假日与调休"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class CalendarVersion(models.Model):
    """One row; bumped on every change so that other processes rebuild their index."""

    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "日历版本"
