from django.contrib import admin

from .models import CompletionFiling, Licence, LicenceEvent, LicenceType, Seal, TaxClearance


@admin.register(LicenceType)
class LicenceTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "defining_body", "validity_years"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Licences, events and seals change only through services (signed, with history)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Licence)
class LicenceAdmin(ReadOnlyAdmin):
    list_display = ["identifier", "licence_type", "holder_name", "issuer_name", "issue_date", "status"]
    list_filter = ["status", "licence_type"]
    search_fields = ["identifier", "holder_name", "holder_number", "case_number"]


@admin.register(LicenceEvent)
class LicenceEventAdmin(ReadOnlyAdmin):
    list_display = ["licence", "seq", "action", "to_status", "reason", "actor_name", "at"]


@admin.register(Seal)
class SealAdmin(ReadOnlyAdmin):
    list_display = ["name", "unit", "created_at", "retired_at"]
    exclude = ["private_key_encrypted"]


@admin.register(TaxClearance)
class TaxClearanceAdmin(admin.ModelAdmin):
    list_display = ["party", "document_number", "cleared_on", "unit"]
    autocomplete_fields = []


@admin.register(CompletionFiling)
class CompletionFilingAdmin(admin.ModelAdmin):
    list_display = ["project_name", "filing_number", "party", "filed_on", "unit"]
    search_fields = ["project_name", "filing_number"]
