"""The catalogue admin (审改办): every save goes through catalogue.services, so the admin keeps the
same rules as the API, the Excel import and the demo loader."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from yiwang.core.errors import DomainError
from yiwang.organisations.selectors import catalogue_admin_regions

from . import services
from .consistency import bundle_timing_check, consistency_check
from .excel import CatalogueImportError, catalogue_export, catalogue_import
from .models import (
    Bundle,
    BundleMember,
    Empowerment,
    Faq,
    GuideForm,
    ItemImplementation,
    Material,
    RemoteIntakeListing,
    ServiceItem,
    Step,
)

WAIT_SEPARATORS = "、,，; ；"


def split_codes(text: str) -> list[str]:
    for sep in WAIT_SEPARATORS[1:]:
        text = (text or "").replace(sep, "、")
    return [c.strip() for c in text.split("、") if c.strip()]


def _reason(exc: DomainError) -> str:
    """The message without its leading "field：" (the form shows it under the field already)."""
    head, sep, tail = exc.message.partition("：")
    return tail if sep and exc.field and head == exc.field else exc.message


def _to_validation_error(exc: DomainError, fields) -> ValidationError:
    if exc.field and exc.field in fields:
        return ValidationError({exc.field: _reason(exc)})
    return ValidationError(exc.message)


def may_import_workbook(user) -> bool:
    """The workbook holds every region's implementations: only the site region's catalogue admin (or a
    superuser) imports it; other regions edit theirs in the admin, region by region."""
    from django.conf import settings

    codes = catalogue_admin_regions(user)
    return codes is None or settings.YIWANG_SITE_REGION in codes


# ---------------------------------------------------------------- items


class StepInlineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        names = [f.cleaned_data["name"] for f in self.forms
                 if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("name")]
        if len(names) > services.MAX_STEPS:
            raise ValidationError(f"办理环节不能超过{services.MAX_STEPS}个")
        orders = [f.cleaned_data["order"] for f in self.forms
                  if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("order")]
        if len(set(orders)) != len(orders):
            raise ValidationError("办理环节的顺序不能重复")


class StepInline(admin.TabularInline):
    model = Step
    formset = StepInlineFormSet
    extra = 0
    max_num = services.MAX_STEPS
    validate_max = True


class MaterialInline(admin.TabularInline):
    model = Material
    extra = 0
    fields = ("order", "name", "source", "required", "tolerable", "originals", "copies", "note")


class FaqInline(admin.StackedInline):
    model = Faq
    extra = 0
    fields = ("order", "question", "answer")


class GuideFormInline(admin.TabularInline):
    model = GuideForm
    extra = 0
    fields = ("order", "kind", "name", "file")


class ServiceItemForm(forms.ModelForm):
    class Meta:
        model = ServiceItem
        exclude = ()

    def clean(self):
        data = super().clean()
        probe = ServiceItem(
            promised_days=data.get("promised_days") or 0,
            statutory_days=data.get("statutory_days") or 0,
            mode=data.get("mode") or "promised",
            visits=data.get("visits") if data.get("visits") is not None else 1,
            online_depth=data.get("online_depth") or "3",
        )
        try:
            services.item_validate(item=probe)
        except DomainError as exc:
            raise _to_validation_error(exc, self.fields)
        return data


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    form = ServiceItemForm
    inlines = [StepInline, MaterialInline, FaqInline, GuideFormInline]
    list_display = ("basic_code", "name", "type_code", "mode", "statutory_days", "promised_days", "service_object")
    list_filter = ("type_code", "mode", "service_object")
    search_fields = ("basic_code", "name")
    change_list_template = "admin/catalogue/serviceitem/change_list.html"

    def save_model(self, request, obj, form, change):
        services.item_save(item=obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.item_refresh_search(item=form.instance)

    # ---- Excel import / export and the 三级四统 report
    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("excel/", view(self.excel_view), name="catalogue_excel"),
            path("excel/export/", view(self.excel_export_view), name="catalogue_excel_export"),
            path("consistency/", view(self.consistency_view), name="catalogue_consistency"),
        ] + super().get_urls()

    def _require(self, request, *actions: str) -> None:
        opts = self.model._meta
        for action in actions:
            if not request.user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}"):
                raise PermissionDenied("无权进行此操作：需要事项目录管理员权限")

    def excel_view(self, request):
        self._require(request, "view")
        form = ExcelUploadForm(request.POST or None, request.FILES or None)
        problems = None
        if request.method == "POST":
            self._require(request, "add", "change")
            if not may_import_workbook(request.user):
                raise PermissionDenied("无权导入：事项目录工作簿含各地区的实施清单，只有本级事项目录管理员可以导入")
            if form.is_valid():
                upload = form.cleaned_data["file"]
                try:
                    summary = catalogue_import(upload.read())
                except CatalogueImportError as exc:
                    problems = exc.problems
                    messages.error(request, f"导入失败：发现 {len(problems)} 处问题，未导入任何数据。")
                else:
                    messages.success(request, "导入成功：" + "，".join(f"{k} {v} 行" for k, v in summary.items()))
                    return redirect("admin:catalogue_excel")
        context = {
            **self.admin_site.each_context(request),
            "title": "事项目录 Excel 导入导出",
            "opts": self.model._meta,
            "form": form,
            "problems": problems,
        }
        return render(request, "admin/catalogue/excel.html", context)

    def excel_export_view(self, request):
        self._require(request, "view")
        content = catalogue_export()
        name = f"catalogue-{timezone.localdate():%Y%m%d}.xlsx"
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def consistency_view(self, request):
        self._require(request, "view")
        context = {
            **self.admin_site.each_context(request),
            "title": "三级四统检查",
            "opts": self.model._meta,
            "rows": consistency_check(),
            "short_bundles": bundle_timing_check(),
        }
        return render(request, "admin/catalogue/consistency.html", context)


class ExcelUploadForm(forms.Form):
    file = forms.FileField(label="事项目录 Excel 文件（.xlsx）")


# ---------------------------------------------------------------- region scope


class RegionScopedAdmin(admin.ModelAdmin):
    """A catalogue admin sees every region's records but adds, changes and deletes only their own
    region's (their unit's region and below); the region and unit choices offer only those."""

    region_path = "region"
    scoped_fields = {"region": "code", "department": "region", "park": "region", "implementation": "region"}

    def _regions(self, request) -> list[str] | None:
        return catalogue_admin_regions(request.user)

    def _in_scope(self, request, obj) -> bool:
        codes = self._regions(request)
        if obj is None or codes is None:
            return True
        value = obj
        for part in self.region_path.split("__"):
            value = getattr(value, part, None)
        return getattr(value, "code", value) in codes

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._in_scope(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        codes = self._regions(request)
        if codes is not None and db_field.name in self.scoped_fields:
            base = kwargs.get("queryset")
            base = db_field.remote_field.model._default_manager.all() if base is None else base
            kwargs["queryset"] = base.filter(**{f"{self.scoped_fields[db_field.name]}__in": codes})
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def require_scope(self, request, obj, what: str) -> None:
        if not self._in_scope(request, obj):
            raise PermissionDenied(f"无权修改其他地区的{what}：只能维护本地区的事项")


# ---------------------------------------------------------------- implementations


class ItemImplementationForm(forms.ModelForm):
    class Meta:
        model = ItemImplementation
        exclude = ()

    def clean(self):
        data = super().clean()
        if data.get("item") and data.get("region") and data.get("type_code"):
            probe = ItemImplementation(pk=self.instance.pk, item=data["item"], region=data["region"],
                                       type_code=data["type_code"])
            try:
                services.implementation_validate(impl=probe)
            except DomainError as exc:
                raise _to_validation_error(exc, self.fields)
        return data


@admin.register(ItemImplementation)
class ItemImplementationAdmin(RegionScopedAdmin):
    form = ItemImplementationForm
    list_display = ("impl_code", "name", "region", "department", "type_code", "active")
    list_filter = ("region", "type_code", "active")
    search_fields = ("impl_code", "name", "item__basic_code")
    autocomplete_fields = ("item",)
    filter_horizontal = ("co_reviewers",)

    def save_model(self, request, obj, form, change):
        self.require_scope(request, obj, "实施清单")
        services.implementation_save(impl=obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.implementation_refresh_search(form.instance)


# ---------------------------------------------------------------- empowerments


class EmpowermentForm(forms.ModelForm):
    class Meta:
        model = Empowerment
        exclude = ()

    def clean(self):
        data = super().clean()
        if data.get("park") and data.get("mode") and data.get("effective_from"):
            probe = Empowerment(park=data["park"], mode=data["mode"], effective_from=data["effective_from"],
                                effective_to=data.get("effective_to"), approving_unit=data.get("approving_unit"))
            try:
                services.empowerment_validate(empowerment=probe)
            except DomainError as exc:
                raise _to_validation_error(exc, self.fields)
        return data


@admin.register(Empowerment)
class EmpowermentAdmin(RegionScopedAdmin):
    form = EmpowermentForm
    list_display = ("implementation", "park", "mode", "effective_from", "effective_to")
    list_filter = ("mode", "park")
    search_fields = ("implementation__impl_code", "implementation__name")
    region_path = "implementation__region"

    def save_model(self, request, obj, form, change):
        self.require_scope(request, obj, "赋权")
        services.empowerment_save(empowerment=obj)


# ---------------------------------------------------------------- 跨域通办清单


class RemoteIntakeListingForm(forms.ModelForm):
    class Meta:
        model = RemoteIntakeListing
        exclude = ()

    def clean(self):
        data = super().clean()
        if data.get("implementation") and data.get("receiving_region") and data.get("effective_from"):
            probe = RemoteIntakeListing(implementation=data["implementation"], receiving_region=data["receiving_region"],
                                        effective_from=data["effective_from"], effective_to=data.get("effective_to"))
            try:
                services.remote_listing_validate(listing=probe)
            except DomainError as exc:
                raise _to_validation_error(exc, self.fields)
        return data


@admin.register(RemoteIntakeListing)
class RemoteIntakeListingAdmin(RegionScopedAdmin):
    """The item's own region keeps its rows (it accepts and decides); the receiving region is any other."""

    form = RemoteIntakeListingForm
    list_display = ("implementation", "receiving_region", "effective_from", "effective_to", "document")
    list_filter = ("receiving_region", "implementation__region")
    search_fields = ("implementation__impl_code", "implementation__name")
    region_path = "implementation__region"

    def save_model(self, request, obj, form, change):
        self.require_scope(request, obj, "跨域通办清单")
        services.remote_listing_save(listing=obj)


# ---------------------------------------------------------------- bundles


class BundleMemberForm(forms.ModelForm):
    waits = forms.CharField(label="需等待（基本编码，用、分隔）", required=False)

    class Meta:
        model = BundleMember
        fields = ("implementation", "order")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["waits"] = "、".join(a.implementation.item.basic_code for a in self.instance.after.all())


class BundleMemberFormSet(forms.BaseInlineFormSet):
    def members(self) -> list[tuple[ItemImplementation, list[str]]]:
        rows = [f.cleaned_data for f in self.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("implementation")]
        rows.sort(key=lambda d: d.get("order") or 0)
        return [(d["implementation"], split_codes(d.get("waits", ""))) for d in rows]

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        try:
            services.bundle_members_validate(bundle=self.instance, members=self.members())
        except DomainError as exc:
            raise ValidationError(_reason(exc))


class BundleMemberInline(admin.TabularInline):
    model = BundleMember
    form = BundleMemberForm
    formset = BundleMemberFormSet
    extra = 0
    autocomplete_fields = ("implementation",)


@admin.register(Bundle)
class BundleAdmin(RegionScopedAdmin):
    list_display = ("code", "name", "theme", "region", "promised_days", "active")
    list_filter = ("theme", "region")
    search_fields = ("code", "name")
    inlines = [BundleMemberInline]

    def save_model(self, request, obj, form, change):
        self.require_scope(request, obj, "一件事")
        obj.save()  # the members are saved with it in save_related, through bundle_save

    def save_related(self, request, form, formsets, change):
        form.save_m2m()
        members = next((fs for fs in formsets if isinstance(fs, BundleMemberFormSet)), None)
        services.bundle_save(bundle=form.instance, members=members.members() if members else None)
        if members is not None:  # saved by the service, not by the formset: nothing for the change log
            members.new_objects, members.changed_objects, members.deleted_objects = [], [], []
