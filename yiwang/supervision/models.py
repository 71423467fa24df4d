"""Supervision (管): random-inspection lists and plans, reproducible draws, inspections and their
publication, the first-violation no-penalty list, credit repairs and supervision tasks from approvals."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from yiwang.core.workflow.history import EventBase

from .rules import BASIS_KINDS, RISK_CLASSES


class CheckKind(models.TextChoices):
    GENERAL = "general", "一般检查事项"
    KEY = "key", "重点检查事项"


class CheckItem(models.Model):
    """随机抽查事项清单: one row per item a unit may inspect, with its legal basis."""

    unit = models.ForeignKey("organisations.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="抽查主体")
    code = models.CharField("事项编码", max_length=32, unique=True)
    name = models.CharField("抽查事项", max_length=128)
    basis = models.TextField("抽查依据")
    content = models.TextField("抽查内容")
    method = models.CharField("抽查方式", max_length=64, help_text="书面检查、实地核查、网络监测等")
    kind = models.CharField("事项类别", max_length=16, choices=CheckKind.choices, default=CheckKind.GENERAL)
    industry = models.CharField("适用行业", max_length=64, blank=True, default="", help_text="空为不限")
    active = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "随机抽查事项"
        ordering = ["unit_id", "code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"


class Inspector(models.Model):
    """执法检查人员名录库: staff holding an inspection (行政执法) qualification, per unit."""

    unit = models.ForeignKey("organisations.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="所属单位")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+", verbose_name="账号")
    name = models.CharField("姓名", max_length=32)
    certificate = models.CharField("执法证号", max_length=32, unique=True)
    active = models.BooleanField("在库", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "执法检查人员"
        ordering = ["unit_id", "certificate"]

    def __str__(self) -> str:
        return f"{self.name}（{self.certificate}）"


class Conflict(models.Model):
    """回避: an inspector's declared relation to an enterprise (a relative works there, …)."""

    inspector = models.ForeignKey(Inspector, on_delete=models.PROTECT, related_name="conflicts",
                                  verbose_name="执法检查人员")
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name="企业")
    reason = models.CharField("回避事由", max_length=128)
    declared_at = models.DateTimeField("申报时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "回避申报"
        constraints = [models.UniqueConstraint(fields=["inspector", "party"], name="conflict_once")]


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "草拟"
    PENDING = "pending", "逾期备案待审批"
    FILED = "filed", "已备案"


class InspectionPlan(models.Model):
    """涉企检查年度计划: filed by the end of March (衡阳县); a later filing is marked and needs approval."""

    unit = models.ForeignKey("organisations.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="检查单位")
    year = models.PositiveIntegerField("年度")
    title = models.CharField("计划名称", max_length=128)
    description = models.TextField("计划内容", blank=True, default="")
    ratios = models.JSONField("抽查比例（%）", default=dict, help_text='{"high": "30", ...}')
    items = models.ManyToManyField(CheckItem, related_name="plans", verbose_name="抽查事项")
    status = models.CharField("状态", max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    filed_on = models.DateField("备案日期", null=True, blank=True)
    late = models.BooleanField("逾期备案", default=False)
    decided_note = models.CharField("审批意见", max_length=200, blank=True, default="")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "年度抽查计划"
        ordering = ["-year", "unit_id"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="plan_one_per_unit_year")]

    def __str__(self) -> str:
        return f"{self.year}年 {self.title}"

    @property
    def key(self) -> str:
        return f"plan:{self.pk}"


class PlanEvent(EventBase):
    plan = models.ForeignKey(InspectionPlan, on_delete=models.PROTECT, related_name="events")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "seq"], name="plan_event_seq")]
        ordering = ["plan_id", "seq"]


class DrawStatus(models.TextChoices):
    SEEDED = "seeded", "种子已公布"
    DRAWN = "drawn", "已抽取"


class Draw(models.Model):
    """One draw: the candidates frozen with their SM3 hash and the seed published first, then the
    result computed from nothing else (rules.draw)."""

    number = models.CharField("抽查编号", max_length=32, unique=True)
    plan = models.ForeignKey(InspectionPlan, on_delete=models.PROTECT, related_name="draws", verbose_name="年度计划")
    item = models.ForeignKey(CheckItem, on_delete=models.PROTECT, related_name="draws", verbose_name="抽查事项")
    status = models.CharField("状态", max_length=16, choices=DrawStatus.choices, default=DrawStatus.SEEDED)
    filters = models.JSONField("名录库筛选条件", default=dict, blank=True)
    ratios = models.JSONField("抽查比例（%）", default=dict)
    per_target = models.PositiveSmallIntegerField("每户检查人员数", default=2)
    seed = models.CharField("随机种子", max_length=128)
    seed_published_at = models.DateTimeField("种子公布时间")
    candidates = models.JSONField("冻结的检查对象名单", default=list)  # [[party id, risk class], …] by id
    candidates_hash = models.CharField("名单SM3", max_length=64)
    inspectors = models.JSONField("冻结的检查人员名单", default=list)  # [inspector id, …]
    conflicts = models.JSONField("回避", default=list)  # [[inspector id, party id], …]
    excluded = models.JSONField("已排除（年度上限）", default=list)  # [[party id, earlier number], …]
    # 联合抽查: [[unit code, [inspector id, …]], …], the leading unit first; empty for a one-unit draw.
    teams = models.JSONField("联合抽查各单位检查人员", default=list, blank=True)
    result = models.JSONField("抽取结果", default=dict, blank=True)
    result_hash = models.CharField("结果SM3", max_length=64, blank=True, default="")
    drawn_at = models.DateTimeField("抽取时间", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = verbose_name_plural = "双随机抽取"
        ordering = ["-seed_published_at"]

    def __str__(self) -> str:
        return self.number

    def document(self) -> dict:
        """What anyone needs to re-run the draw (python -m yiwang.supervision.redraw)."""
        doc = {"seed": self.seed, "candidates": self.candidates, "inspectors": self.inspectors,
               "conflicts": self.conflicts, "ratios": self.ratios, "per_target": self.per_target}
        if self.teams:
            doc["teams"] = self.teams
        return doc

    @property
    def joint(self) -> bool:
        return bool(self.teams)


class DrawPartner(models.Model):
    """联合抽查: a unit joining a draw led by another (the plan's unit), with its own check item — one
    visit, several units' items checked (进一次门、查多项事)."""

    draw = models.ForeignKey(Draw, on_delete=models.PROTECT, related_name="partners")
    unit = models.ForeignKey("organisations.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="参与单位")
    item = models.ForeignKey(CheckItem, on_delete=models.PROTECT, related_name="+", verbose_name="抽查事项")

    class Meta:
        verbose_name = verbose_name_plural = "联合抽查参与单位"
        ordering = ["draw_id", "id"]
        constraints = [models.UniqueConstraint(fields=["draw", "unit"], name="draw_partner_once")]


class DrawEvent(EventBase):
    draw = models.ForeignKey(Draw, on_delete=models.PROTECT, related_name="events")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["draw", "seq"], name="draw_event_seq")]
        ordering = ["draw_id", "seq"]


class InspectionStatus(models.TextChoices):
    ASSIGNED = "assigned", "待检查"
    RECTIFYING = "rectifying", "整改中"
    CONCLUDED = "concluded", "已办结"


class InspectionResult(models.TextChoices):
    PASSED = "passed", "未发现问题（合格）"
    RECTIFY = "rectify", "发现问题，责令整改"
    CASE = "case", "发现违法，已立案查处"
    RECTIFIED = "rectified", "责令整改，复查合格"


class Inspection(models.Model):
    number = models.CharField("检查编号", max_length=32, unique=True)
    unit = models.ForeignKey("organisations.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="检查单位")
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="inspections",
                              verbose_name="检查对象")
    item = models.ForeignKey(CheckItem, on_delete=models.PROTECT, related_name="inspections", verbose_name="抽查事项")
    draw = models.ForeignKey(Draw, null=True, blank=True, on_delete=models.PROTECT, related_name="inspections")
    # 联合抽查: the inspections of one visit share the leading unit's number; each unit's own row
    # counts to its own cap.
    visit = models.CharField("联合检查", max_length=32, blank=True, default="", db_index=True)
    year = models.PositiveIntegerField("年度")
    basis_kind = models.CharField("检查类型", max_length=16, choices=list(BASIS_KINDS.items()))
    basis = models.CharField("检查依据", max_length=200, blank=True, default="",
                             help_text="重点检查、投诉举报核查须载明依据")
    risk = models.CharField("风险等级", max_length=16, choices=list(RISK_CLASSES.items()), blank=True, default="")
    counts_to_cap = models.BooleanField("计入年度上限", default=True)
    inspectors = models.ManyToManyField(Inspector, related_name="inspections", verbose_name="执法检查人员")
    status = models.CharField("状态", max_length=16, choices=InspectionStatus.choices,
                              default=InspectionStatus.ASSIGNED)
    result = models.CharField("检查结果", max_length=16, choices=InspectionResult.choices, blank=True, default="")
    findings = models.TextField("检查情况", blank=True, default="")
    inspected_on = models.DateField("检查日期", null=True, blank=True)
    rectify_due = models.DateField("整改期限", null=True, blank=True)
    deadline = models.DateField("公示期限", null=True, blank=True)  # 20 working days after the inspection
    deadline_provisional = models.BooleanField("期限为暂定", default=False)
    published_at = models.DateTimeField("公示时间", null=True, blank=True)
    publish_overdue = models.BooleanField("公示逾期", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = verbose_name_plural = "涉企检查"
        ordering = ["-created_at"]
        constraints = [
            # The cap, held by the database too: a race between two draws cannot pass it.
            models.UniqueConstraint(fields=["unit", "party", "year"], condition=Q(counts_to_cap=True),
                                    name="inspection_once_a_year"),
        ]
        indexes = [
            models.Index(fields=["unit", "party", "year"], name="inspection_cap_idx"),
            models.Index(fields=["status", "deadline"], name="inspection_queue_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class InspectionEvent(EventBase):
    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="events")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["inspection", "seq"], name="inspection_event_seq")]
        ordering = ["inspection_id", "seq"]


class LenientOffence(models.Model):
    """首违免罚清单: one minor violation exempt from penalty on first occurrence."""

    unit = models.ForeignKey("organisations.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="执法单位")
    code = models.CharField("清单编号", max_length=32, unique=True)
    description = models.CharField("违法行为", max_length=200)
    basis = models.TextField("法律依据")
    conditions = models.TextField("适用条件", default="首次违法、危害后果轻微并及时改正")
    period_months = models.PositiveSmallIntegerField("首次认定期间（月）", default=12)
    active = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "首违免罚清单"
        ordering = ["unit_id", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class Guidance(models.TextChoices):
    PERSUADE = "persuade", "劝告"
    REMIND = "remind", "提醒"
    ADVISE = "advise", "建议"


class Violation(models.Model):
    """A violation recorded on an enterprise, exempted or not, with the reason the rule gave."""

    number = models.CharField("记录编号", max_length=32, unique=True)
    unit = models.ForeignKey("organisations.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="执法单位")
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="violations",
                              verbose_name="企业")
    offence = models.ForeignKey(LenientOffence, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="violations", verbose_name="清单事项")
    inspection = models.ForeignKey(Inspection, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    description = models.CharField("违法事实", max_length=300)
    occurred_on = models.DateField("发现日期")
    minor_harm = models.BooleanField("危害后果轻微")
    corrected = models.BooleanField("已及时改正")
    exempted = models.BooleanField("免予处罚")
    reason = models.CharField("认定理由", max_length=300)
    guidance = models.CharField("教育指导方式", max_length=16, choices=Guidance.choices, blank=True, default="")
    guidance_text = models.TextField("教育指导内容", blank=True, default="")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "违法行为记录"
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["party", "offence", "occurred_on"], name="violation_prior_idx")]


class CreditRepair(models.Model):
    """信用修复 approved for a credit record: its public display ends; the record itself is kept."""

    record = models.OneToOneField("parties.CreditRecord", on_delete=models.PROTECT, related_name="repair")
    approved_at = models.DateTimeField("修复时间")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField("修复依据", max_length=200)

    class Meta:
        verbose_name = verbose_name_plural = "信用修复"


class TaskKind(models.TextChoices):
    APPROVAL = "approval", "审批结果"
    COMMITMENT = "commitment", "告知承诺审批（事后核查）"
    REVOCATION = "revocation", "撤销许可"
    LICENCE_CHANGE = "licence_change", "证照变更"


class TaskStatus(models.TextChoices):
    PENDING = "pending", "待认领"
    CLAIMED = "claimed", "已认领"
    REPORTED = "reported", "已反馈"


class TaskResult(models.TextChoices):
    ONSITE = "onsite", "实地核查"
    DOCUMENT = "document", "书面核查"
    CREDIT = "credit", "信用分级跟踪"
    NONE = "none", "无需处置（须说明理由）"


class SupervisionTask(models.Model):
    """双推送: an approval pushed to its supervising unit; its result pushed back to the approver."""

    number = models.CharField("任务编号", max_length=40, unique=True)
    kind = models.CharField("推送类型", max_length=16, choices=TaskKind.choices)
    case_number = models.CharField("办件编号", max_length=96)
    item_name = models.CharField("事项", max_length=200)
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name="申请人")
    approving_unit = models.ForeignKey("organisations.Unit", on_delete=models.PROTECT, related_name="+",
                                       verbose_name="审批单位")
    unit = models.ForeignKey("organisations.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="监管单位")
    status = models.CharField("状态", max_length=16, choices=TaskStatus.choices, default=TaskStatus.PENDING)
    deadline = models.DateField("当前期限")  # the claim limit, then the result limit
    deadline_provisional = models.BooleanField("期限为暂定", default=False)
    overdue = models.BooleanField("已超期", default=False)
    result = models.CharField("监管措施", max_length=16, choices=TaskResult.choices, blank=True, default="")
    result_note = models.TextField("处置情况", blank=True, default="")
    pushed_at = models.DateTimeField("反馈推送时间", null=True, blank=True)
    # A licence changes more than once (暂扣, then 恢复 or 撤销): each change is its own push, by its event's seq.
    change_seq = models.PositiveIntegerField("证照变更序号", default=0)
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = verbose_name_plural = "监管任务"
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["case_number", "kind", "change_seq"],
                                               name="task_once_per_case_kind_change")]
        indexes = [models.Index(fields=["unit", "status", "deadline"], name="task_queue_idx")]


class TaskEvent(EventBase):
    task = models.ForeignKey(SupervisionTask, on_delete=models.PROTECT, related_name="events")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task", "seq"], name="task_event_seq")]
        ordering = ["task_id", "seq"]


class RepairStatus(models.TextChoices):
    SUBMITTED = "submitted", "待审核"
    APPROVED = "approved", "已修复"
    REJECTED = "rejected", "不予修复"


class RepairApplication(models.Model):
    """信用修复申请: an enterprise asks that a credit record stop being shown, having corrected it."""

    number = models.CharField("申请编号", max_length=32, unique=True)
    record = models.ForeignKey("parties.CreditRecord", on_delete=models.PROTECT, related_name="repair_applications",
                               verbose_name="信用记录")
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name="申请主体")
    reason = models.TextField("纠正失信行为情况")
    commitment = models.BooleanField("已作出信用承诺", default=True)
    status = models.CharField("状态", max_length=16, choices=RepairStatus.choices, default=RepairStatus.SUBMITTED)
    deadline = models.DateField("办理期限")
    deadline_provisional = models.BooleanField("期限为暂定", default=False)
    overdue = models.BooleanField("已超期", default=False)
    decided_note = models.CharField("审核意见", max_length=300, blank=True, default="")
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = verbose_name_plural = "信用修复申请"
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["record"], condition=Q(status="submitted"),
                                               name="repair_one_open_per_record")]


class RepairEvent(EventBase):
    application = models.ForeignKey(RepairApplication, on_delete=models.PROTECT, related_name="events")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["application", "seq"], name="repair_event_seq")]
        ordering = ["application_id", "seq"]
