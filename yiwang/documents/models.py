"""The documents a hall prints for a case (受理通知书, 一次性告知书, 决定书, 送达回证, 回执): each numbered per
unit, type and year, sealed with the unit's seal, and linked to the case and the event that caused it."""

from django.db import models

from yiwang.core.workflow.history import HistoryIsAppendOnly, HistoryQuerySet


class DocumentKind(models.TextChoices):
    RECEIPT = "receipt", "收件回执"
    ACCEPTANCE = "acceptance", "受理通知书"
    CORRECTION = "correction", "一次性告知书"
    REFUSAL = "refusal", "不予受理决定书"
    APPROVAL = "approval", "准予许可决定书"
    DENIAL = "denial", "不予许可决定书"
    DELIVERY = "delivery", "送达回证"


class DocumentCounter(models.Model):
    """The last serial of one unit's documents of one kind in one year: one row per (unit, kind, year),
    so numbering serialises only the documents that share a number series."""

    unit = models.ForeignKey("organisations.Unit", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=DocumentKind.choices)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "文书编号计数"
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind", "year"], name="document_counter_unique")
        ]


class CaseDocument(models.Model):
    """A document issued for a case: its PDF as issued, the SM3 of those bytes and the seal's SM2
    signature over them (with the number, kind and case). Appended, never edited or deleted."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="documents", verbose_name="办件"
    )
    event = models.ForeignKey(
        "cases.CaseEvent", on_delete=models.PROTECT, related_name="documents", verbose_name="引起的办理记录"
    )
    kind = models.CharField("文书类型", max_length=16, choices=DocumentKind.choices)
    number = models.CharField("文书编号", max_length=96, unique=True)
    code = models.CharField("核验码", max_length=20, unique=True)
    unit = models.ForeignKey(
        "organisations.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="出具单位"
    )
    unit_name = models.CharField("出具单位名称", max_length=128)
    year = models.PositiveSmallIntegerField("年度")
    serial = models.PositiveIntegerField("序号")
    issued_at = models.DateTimeField("出具时间")
    issued_on = models.DateField("出具日期")
    content = models.JSONField("文书内容", default=dict, blank=True)
    pdf = models.BinaryField("PDF")
    pdf_sm3 = models.CharField("PDF 的 SM3", max_length=64)
    seal = models.ForeignKey("licences.Seal", on_delete=models.PROTECT, related_name="+", verbose_name="印章")
    signature = models.CharField("SM2 签名（r||s）", max_length=128)

    objects = HistoryQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "办件文书"
        ordering = ["case_id", "issued_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "kind"], name="document_one_per_event"),
            models.UniqueConstraint(fields=["unit", "kind", "year", "serial"], name="document_unique_serial"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise HistoryIsAppendOnly("CaseDocument rows are never updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise HistoryIsAppendOnly("CaseDocument rows are never deleted")
