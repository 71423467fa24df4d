from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from .models import CreditRecord, Party
from .services import party_number_check


class PartyForm(forms.ModelForm):
    class Meta:
        model = Party
        exclude = ()

    def clean(self):
        data = super().clean()
        if data.get("kind") and data.get("number"):
            result = party_number_check(kind=data["kind"], number=data["number"], field="证件号码")
            if not result.valid:
                raise ValidationError({"number": result.message})
            data["number"] = result.normalised
        return data


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin):
    form = PartyForm
    list_display = ("number", "name", "kind", "region", "park")
    list_filter = ("kind", "region")
    search_fields = ("number", "name")


@admin.register(CreditRecord)
class CreditRecordAdmin(admin.ModelAdmin):
    list_display = ("party", "kind", "created_at")
