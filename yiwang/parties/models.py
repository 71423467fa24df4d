"""Applicants and requesters: persons (自然人) and enterprises (法人)."""

from django.conf import settings
from django.db import models


class PartyKind(models.TextChoices):
    PERSON = "person", "自然人"
    ENTERPRISE = "enterprise", "法人"


class Party(models.Model):
    """A person (number = ID number) or an enterprise (number = USCC), with what policies select on."""

    kind = models.CharField("类型", max_length=16, choices=PartyKind.choices)
    number = models.CharField("证件号码", max_length=18, unique=True, help_text="身份证号码或统一社会信用代码")
    name = models.CharField("名称", max_length=128)
    region = models.ForeignKey(
        "organisations.Region", null=True, blank=True, on_delete=models.PROTECT, verbose_name="行政区划"
    )
    park = models.ForeignKey(
        "organisations.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to={"kind": "park"},
        related_name="+",
        verbose_name="所在园区",
    )
    phone = models.CharField("联系电话", max_length=32, blank=True, default="")
    address = models.CharField("地址", max_length=200, blank=True, default="")
    legal_representative = models.CharField("法定代表人", max_length=64, blank=True, default="")
    industry = models.CharField("行业", max_length=64, blank=True, default="")
    size = models.CharField("规模", max_length=16, blank=True, default="")
    flags = models.JSONField("标签", default=list, blank=True, help_text="如 高新技术企业、专精特新")
    employees = models.PositiveIntegerField("从业人数", null=True, blank=True)
    revenue = models.DecimalField("营业收入（万元）", max_digits=14, decimal_places=2, null=True, blank=True)
    tax_paid = models.DecimalField("纳税额（万元）", max_digits=14, decimal_places=2, null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="parties"
    )
    # An enterprise the platform registered (企业设立登记): the case that created it and the party who
    # filed that application (the 申请人/经办 of the registration, not the new enterprise itself).
    registered_case = models.CharField("设立登记办件", max_length=96, blank=True, default="", db_index=True)
    filer = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="registered",
                              verbose_name="设立登记申请人（经办）")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "办事主体"
        ordering = ["kind", "number"]

    def __str__(self) -> str:
        return f"{self.name}（{self.number}）"


class CreditRecord(models.Model):
    """A credit record on a party (a false commitment, say). Appended, never edited."""

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="credit_records")
    kind = models.CharField("类型", max_length=32)
    reason = models.TextField("事由")
    source = models.CharField("来源", max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "信用记录"
        ordering = ["-created_at"]
