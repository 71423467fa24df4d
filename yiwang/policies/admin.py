from django import forms
from django.contrib import admin

from .models import EnterpriseProfile, EnterpriseYear, Grant, GrantEvent, Policy, PolicyMatch, Qualification


class YearInline(admin.TabularInline):
    model = EnterpriseYear
    extra = 0


class QualificationInline(admin.TabularInline):
    model = Qualification
    extra = 0


@admin.register(EnterpriseProfile)
class EnterpriseProfileAdmin(admin.ModelAdmin):
    list_display = ("party", "industry_code", "size", "employees", "insured", "revenue", "tax_paid", "updated_at")
    list_filter = ("size", "credit_grade")
    search_fields = ("party__name", "party__number", "industry_code")
    raw_id_fields = ("party",)
    inlines = [YearInline, QualificationInline]


class PolicyForm(forms.ModelForm):
    """The same refusal as the workbench: a rule or amount rule that cannot compile is refused at its field."""

    class Meta:
        model = Policy
        fields = "__all__"

    def clean(self):
        data = super().clean()
        from .rules import RuleRefused
        from .services import policy_check

        rule, amount = data.get("rule") or {}, data.get("amount") or {}
        try:
            if rule.get("items") or amount:
                policy_check(rule=rule if rule.get("items") else {"items": [{"field": "credit", "op": "no_serious"}]},
                             amount=amount)
        except RuleRefused as exc:
            self.add_error(exc.field if exc.field in ("rule", "amount") else None, exc.message)
        return data


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    form = PolicyForm
    list_display = ("code", "name", "issuing_unit", "mode", "status", "published_on")
    list_filter = ("mode", "status")
    search_fields = ("code", "name", "document")


class GrantEventInline(admin.TabularInline):
    model = GrantEvent
    extra = 0
    can_delete = False
    readonly_fields = ("seq", "action", "from_status", "to_status", "actor", "actor_kind", "at", "reason", "deadline")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    """Read-only: grants move only through the workflow (the workbench or the API)."""

    list_display = ("number", "policy", "enterprise", "amount", "status", "deadline", "overdue")
    list_filter = ("status", "overdue", "policy")
    search_fields = ("number", "enterprise__name", "enterprise__number")
    inlines = [GrantEventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


admin.site.register(PolicyMatch)
