"""改革台账: a reform plan's measures (ReformTask) × the units and parks that must report × months.

Each reporting unit fills one ProgressReport per plan and month — one ProgressEntry per measure —
and submits it by the plan's due day (the 25th); the reform office returns it with comments or
accepts it. The report moves only through the engine (workflow.py); its history is
ProgressReportEvent.
"""

from django.db import models

from yiwang.core.workflow.history import EventBase


class ReformPlan(models.Model):
    code = models.CharField("方案编号", max_length=32, unique=True)
    name = models.CharField("方案名称", max_length=200)
    region = models.ForeignKey("organisations.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name="行政区划")
    office = models.ForeignKey("organisations.Unit", on_delete=models.PROTECT, related_name="+",
                               verbose_name="牵头办公室（审改办）")
    basis = models.CharField("依据", max_length=200, blank=True, default="")
    due_day = models.PositiveSmallIntegerField("每月报送截止日", default=25)
    remind_days = models.PositiveSmallIntegerField("提前提醒天数", default=3)
    start_month = models.DateField("起报月份")
    active = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "改革方案"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ReformTask(models.Model):
    plan = models.ForeignKey(ReformPlan, on_delete=models.CASCADE, related_name="tasks")
    code = models.CharField("措施编号", max_length=16)
    section = models.CharField("任务类别", max_length=100, blank=True, default="")
    title = models.CharField("改革措施", max_length=200)
    detail = models.TextField("具体内容", blank=True, default="")
    responsible = models.TextField("责任单位", blank=True, default="")
    order = models.PositiveIntegerField("顺序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "改革措施"
        ordering = ["plan_id", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="ledger_task_unique")]

    def __str__(self) -> str:
        return f"{self.code}.{self.title}"


class PlanReporter(models.Model):
    plan = models.ForeignKey(ReformPlan, on_delete=models.CASCADE, related_name="reporters")
    unit = models.ForeignKey("organisations.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="填报单位")
    order = models.PositiveIntegerField("顺序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "填报单位"
        ordering = ["plan_id", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "unit"], name="ledger_reporter_unique")]


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "未报送"
    SUBMITTED = "submitted", "已报送待审核"
    RETURNED = "returned", "已退回待修改"
    ACCEPTED = "accepted", "已审核"


class Progress(models.TextChoices):
    NOT_STARTED = "not_started", "未启动"
    IN_PROGRESS = "in_progress", "推进中"
    DONE = "done", "已完成"


class ProgressReport(models.Model):
    plan = models.ForeignKey(ReformPlan, on_delete=models.PROTECT, related_name="reports")
    unit = models.ForeignKey("organisations.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="填报单位")
    month = models.DateField("月份", help_text="该月1日")
    status = models.CharField("状态", max_length=16, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    deadline = models.DateField("报送期限")
    reminded = models.BooleanField("已提醒", default=False)
    overdue = models.BooleanField("逾期未报", default=False)
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    late = models.BooleanField("逾期报送", default=False)
    review_comment = models.TextField("审核意见", blank=True, default="")
    version = models.PositiveIntegerField("版本", default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "月度台账"
        ordering = ["-month", "plan_id", "unit_id"]
        constraints = [models.UniqueConstraint(fields=["plan", "unit", "month"], name="ledger_report_unique")]

    def __str__(self) -> str:
        return f"{self.plan.code} {self.unit.name} {self.month:%Y-%m}"

    @property
    def key(self) -> str:
        return f"{self.plan.code}:{self.unit.code}:{self.month:%Y-%m}"


class ProgressEntry(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.PROTECT, related_name="entries")
    task = models.ForeignKey(ReformTask, on_delete=models.PROTECT, related_name="+")
    progress = models.CharField("推进状态", max_length=16, choices=Progress.choices, default=Progress.NOT_STARTED)
    text = models.TextField("落实进展", blank=True, default="")
    figures = models.CharField("量化成效", max_length=500, blank=True, default="")

    class Meta:
        verbose_name = verbose_name_plural = "措施进展"
        ordering = ["report_id", "task__order"]
        constraints = [models.UniqueConstraint(fields=["report", "task"], name="ledger_entry_unique")]


class ProgressReportEvent(EventBase):
    report = models.ForeignKey(ProgressReport, on_delete=models.PROTECT, related_name="events")

    class Meta:
        verbose_name = verbose_name_plural = "台账记录"
        ordering = ["report_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["report", "seq"], name="ledger_event_seq_unique")]
