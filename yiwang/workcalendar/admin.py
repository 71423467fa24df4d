from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import path

from yiwang.core.errors import DomainError

from .models import CalendarDay, CalendarYear
from .services import calendar_day_remove, calendar_day_set, calendar_import_year


class UploadForm(forms.Form):
    file = forms.FileField(label="日历文件（CSV 或 JSON）")


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ("year", "source", "loaded_at", "note")
    change_list_template = "admin/workcalendar/calendaryear/change_list.html"

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="workcalendar_calendaryear_import")
        ] + super().get_urls()

    def import_view(self, request):
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
class CalendarDayAdmin(admin.ModelAdmin):
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
