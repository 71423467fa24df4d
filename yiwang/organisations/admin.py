from django.contrib import admin

from .models import Region, Staff, Unit, Window


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "parent")
    search_fields = ("code", "name")


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "region")
    list_filter = ("kind", "region")
    search_fields = ("code", "name")


@admin.register(Window)
class WindowAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "unit")


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ("user", "unit", "role", "window")
    list_filter = ("role", "unit")
