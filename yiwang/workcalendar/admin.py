from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path

from yiwang.core.errors import DomainError
from yiwang.organisations.selectors import catalogue_admin_regions

from .models import CalendarDay, CalendarYear
from .services import calendar_day_remove, calendar_day_set, calendar_import_year


class UploadForm(forms.Form):
    file = forms.FileField(label="日历文件（CSV 或 JSON）")


def may_edit_calendar(user) -> bool:
    """The calendar is this deployment's (YIWANG_SITE_REGION): every deadline of every region on the
    platform is computed on it. Only a catalogue admin of the site region (or a region above it) and
    superusers change it; other regions' catalogue admins read it."""
    codes = catalogue_admin_regions(user)
    return codes is None or settings.YIWANG_SITE_REGION in codes


class SiteCalendarAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return super().has_add_permission(request) and may_edit_calendar(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and may_edit_calendar(request.user)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and may_edit_calendar(request.user)


@admin.register(CalendarYear)
class CalendarYearAdmin(SiteCalendarAdmin):
    list_display = ("year", "source", "loaded_at", "note")
    change_list_template = "admin/workcalendar/calendaryear/change_list.html"

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="workcalendar_calendaryear_import")
        ] + super().get_urls()

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied("无权导入工作日历：只有本级事项目录管理员可以维护日历")
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                year, count = calendar_import_year(content=upload.read(), filename=upload.name)
            except DomainError as exc:
                form.add_error("file", exc.message)
            else:
                messages.success(request, f"已导入 {year} 年日历，共 {count} 天")
                return redirect("admin:workcalendar_calendaryear_changelist")
        context = {**self.admin_site.each_context(request), "form": form, "title": "导入年度日历", "opts": self.model._meta}
        return render(request, "admin/workcalendar/calendaryear/import.html", context)


@admin.register(CalendarDay)
class CalendarDayAdmin(SiteCalendarAdmin):
    list_display = ("date", "kind", "name")
    list_filter = ("kind",)
    date_hierarchy = "date"

    # Saving through the service bumps the version and moves running cases' deadlines.
    def save_model(self, request, obj, form, change):
        if change and "date" in form.changed_data:
            calendar_day_remove(day=form.initial["date"])
        saved = calendar_day_set(day=obj.date, kind=obj.kind, name=obj.name)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        calendar_day_remove(day=obj.date)

    def delete_queryset(self, request, queryset):
        for day in list(queryset.values_list("date", flat=True)):
            calendar_day_remove(day=day)
