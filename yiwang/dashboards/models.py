"""The dashboard's rollup, derived from the event histories (the audit trail is the single source).

Contribution: what one subject (a case, a rating, a 12345 request, a bundle case) adds to one counter
on one day — a pure function of the subject's events (rules.py). RollupCell: the sum of the
contributions per counter, day and dimensions; the overview reads only these. SubjectMark: the
subject's fingerprint (its number of events and last event id), so a refresh recomputes only subjects
that changed, and its open deadline (for the live 在办超期 count). RollupCursor: per source, the last
event id a refresh has seen.
"""

from django.db import models


class Source(models.TextChoices):
    CASE = "case", "办件"
    EVALUATION = "evaluation", "好差评"
    RECTIFICATION = "rectification", "差评整改"
    REQUEST = "request", "12345工单"
    BUNDLE = "bundle", "一件事"
    SUP_TASK = "sup_task", "监管任务"
    SUP_INSPECTION = "sup_inspection", "涉企检查"
    SUP_VIOLATION = "sup_violation", "违法行为记录"
    SUP_REPAIR = "sup_repair", "信用修复申请"
    GRANT = "grant", "政策兑现"


class _Dims(models.Model):
    region = models.CharField("行政区划", max_length=12)
    unit_id = models.IntegerField("单位", null=True)
    park_id = models.IntegerField("园区", null=True)
    impl_id = models.IntegerField("事项", null=True)
    window_id = models.IntegerField("窗口", null=True)
    staff_id = models.IntegerField("人员", null=True)

    class Meta:
        abstract = True


class SubjectMark(_Dims):
    source = models.CharField(max_length=16, choices=Source.choices)
    subject_id = models.BigIntegerField()
    ref = models.CharField("编号", max_length=96)
    events = models.PositiveIntegerField(default=0)
    last_event_id = models.BigIntegerField(default=0)
    open_deadline = models.DateField("在办期限", null=True)

    class Meta:
        verbose_name = verbose_name_plural = "统计对象"
        constraints = [models.UniqueConstraint(fields=["source", "subject_id"], name="dash_mark_unique")]
        indexes = [models.Index(fields=["source", "open_deadline"], name="dash_mark_open_idx")]


class Contribution(_Dims):
    source = models.CharField(max_length=16, choices=Source.choices)
    subject_id = models.BigIntegerField()
    ref = models.CharField("编号", max_length=96)
    counter = models.CharField(max_length=40)
    day = models.DateField()
    value = models.BigIntegerField(default=1)

    class Meta:
        verbose_name = verbose_name_plural = "统计明细"
        indexes = [
            models.Index(fields=["source", "subject_id"], name="dash_contrib_subject_idx"),
            models.Index(fields=["counter", "day"], name="dash_contrib_counter_idx"),
        ]


class RollupCell(_Dims):
    """Daily grains: "fine" keeps every dimension (for rankings by staff, window or item); "coarse" drops
    item, window and staff, so its size follows days × units × parks, not the number of cases. Month
    grains (day = the month's first): "month" (the coarse cells of a month summed) and "rmonth" (per
    region only). A period's sums read its whole months from a month grain and its edge days from the
    coarse grain (selectors.span_q)."""

    grain = models.CharField(max_length=8, default="fine")
    counter = models.CharField(max_length=40)
    day = models.DateField()
    value = models.BigIntegerField(default=0)
    subjects = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "统计汇总"
        indexes = [
            models.Index(fields=["grain", "counter", "day"], name="dash_cell_counter_idx"),
            models.Index(fields=["grain", "region", "day"], name="dash_cell_region_idx"),
        ]


class RollupCursor(models.Model):
    source = models.CharField(max_length=16, primary_key=True, choices=Source.choices)
    last_event_id = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = verbose_name_plural = "统计进度"


class EfficiencyWeights(models.Model):
    """The published weighting of 岗位效能评价 for a region (and the regions below it): each change is a new
    row, so the weighting any past ranking used can be read back; the newest row applies."""

    region = models.CharField("行政区划", max_length=12)
    weights = models.JSONField("权重")
    note = models.CharField("调整说明", max_length=200, blank=True, default="")
    set_by = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="+", verbose_name="设置人")
    set_at = models.DateTimeField("设置时间")

    class Meta:
        verbose_name = verbose_name_plural = "岗位效能评价权重"
        indexes = [models.Index(fields=["region", "-set_at"], name="dash_weights_region_idx")]
