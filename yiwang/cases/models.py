"""Cases (办件): one application for one item, its append-only history, materials and co-reviews.

The Case row is the current state; CaseEvent rows are the history (never edited). The clock
columns (deadline, due_state, paused, pauses, extension_days) are kept by the services and are a
pure function of the history (see clock.py): `deadline == clock.deadline_from_events(events)`.
"""

from django.conf import settings
from django.db import models

from yiwang.core.workflow.history import EventBase


class CaseStatus(models.TextChoices):
    SUBMITTED = "submitted", "待受理"
    CORRECTION_REQUESTED = "correction_requested", "待补正"
    ACCEPTED = "accepted", "已受理"
    IN_REVIEW = "in_review", "审查中"
    PAUSED = "paused", "特别程序（暂停计时）"
    APPROVED = "approved", "准予许可"
    DENIED = "denied", "不予许可"
    REFUSED = "refused", "不予受理"
    WITHDRAWN = "withdrawn", "已撤回"
    DELIVERED = "delivered", "已送达"
    REVOKED = "revoked", "已撤销"
    CLOSED = "closed", "已办结归档"


class ActorKind(models.TextChoices):
    """Who the actor is, relative to the case (selectors.actor_kinds works it out)."""

    APPLICANT = "applicant", "申请人"  # the applicant's own account, or their authorised agent
    INTAKE = "intake", "窗口受理人员"  # a window clerk of the region's hall, or staff of the receiving unit
    # 收受分离: a window clerk of another region's hall (or of the unit) that took the application in
    REMOTE_INTAKE = "remote_intake", "异地收件窗口人员"
    REVIEWER = "reviewer", "审查单位审批人员"  # approver or head of the reviewing unit
    DECIDER = "decider", "决定单位审批人员"  # approver or head of the deciding unit
    HEAD = "head", "决定单位负责人"  # department head of the deciding unit
    CO_REVIEWER = "co_reviewer", "联合审查单位"  # approver or head of a co-reviewing unit
    SYSTEM = "system", "系统"  # a timer, the calendar, or a reaction of another workflow


# The clock runs (deadline meaningful, due_state kept) in these statuses.
RUNNING = (CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW, CaseStatus.PAUSED)
# Before a decision: the applicant may still withdraw.
UNDECIDED = (CaseStatus.SUBMITTED, CaseStatus.CORRECTION_REQUESTED, *RUNNING)


class CaseChannel(models.TextChoices):
    ONLINE = "online", "网上申请"
    WINDOW = "window", "窗口申请"
    AGENT = "agent", "代办申请"


class DueState(models.TextChoices):
    NONE = "", "—"
    OK = "ok", "正常"
    NEAR = "near", "临期"
    OVERDUE = "overdue", "超期"


class Decision(models.TextChoices):
    NONE = "", "—"
    APPROVED = "approved", "准予"
    DENIED = "denied", "不予"


class DeliveryMethod(models.TextChoices):
    WINDOW = "window", "窗口领取"
    POST = "post", "邮寄送达"
    ELECTRONIC = "electronic", "电子送达"


class CaseCounter(models.Model):
    """The last sequence number given to an implementation's cases on one day."""

    impl_code = models.CharField(max_length=64)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["impl_code", "day"], name="case_counter_unique")]


class Case(models.Model):
    number = models.CharField("办件编号", max_length=96, unique=True)
    implementation = models.ForeignKey(
        "catalogue.ItemImplementation", on_delete=models.PROTECT, related_name="cases", verbose_name="事项"
    )
    # Bundles (一件事): a child case points at its parent; the bundle engineer adds the member link.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name="一件事主件"
    )
    applicant = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="cases", verbose_name="申请人"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="agent_cases",
        verbose_name="代办人",
    )
    agent_authorisation = models.CharField("授权委托书", max_length=200, blank=True, default="")  # pre-agents text
    authorisation = models.ForeignKey(
        "agents.Authorisation", null=True, blank=True, on_delete=models.PROTECT, related_name="cases",
        verbose_name="授权委托",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="提交人",
    )
    channel = models.CharField("申请渠道", max_length=16, choices=CaseChannel.choices)
    status = models.CharField("状态", max_length=24, choices=CaseStatus.choices, default=CaseStatus.SUBMITTED)

    # Routing, fixed on the day of submission.
    route_mode = models.CharField("办理模式", max_length=16)
    receiving_unit = models.ForeignKey(
        "organisations.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="受理单位"
    )
    reviewing_unit = models.ForeignKey(
        "organisations.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="审查单位"
    )
    deciding_unit = models.ForeignKey(
        "organisations.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="决定单位"
    )
    in_name_of = models.ForeignKey(
        "organisations.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="以谁的名义"
    )
    region = models.ForeignKey("organisations.Region", on_delete=models.PROTECT, related_name="+")
    # 跨域通办 (收受分离): a window of another region took the application in, checked identity and
    # materials and forwards it; the receiving unit above accepts, under its own clock.
    remote_intake_unit = models.ForeignKey(
        "organisations.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="异地收件单位",
    )
    forwarded_at = models.DateTimeField("转交受理地时间", null=True, blank=True)
    delivery_choice = models.CharField("申请人选择的送达方式", max_length=16, choices=DeliveryMethod.choices,
                                       blank=True, default="")

    form = models.JSONField("申请表", default=dict, blank=True)
    submitted_at = models.DateTimeField("提交时间")
    received_on = models.DateField("收件日期", help_text="受理期限（5个工作日）从此日起算；补正后重新起算")
    correction_count = models.PositiveSmallIntegerField(default=0)

    # The clock.
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    statutory_days = models.PositiveIntegerField("法定时限（工作日）", default=0)
    promised_days = models.PositiveIntegerField("承诺时限（工作日）", default=0)
    deadline = models.DateField("办结期限", null=True, blank=True)
    deadline_provisional = models.BooleanField("期限为暂定", default=False)
    paused = models.BooleanField("暂停计时", default=False)
    pauses = models.JSONField("暂停区间", default=list, blank=True, help_text="[[开始, 结束或null, 程序], ...]")
    paused_days = models.PositiveIntegerField("暂停工作日", default=0)
    extension_days = models.PositiveIntegerField("延期工作日", default=0)
    extended = models.BooleanField("已延期", default=False)
    due_state = models.CharField("期限状态", max_length=8, choices=DueState.choices, default="", blank=True)

    # Steps and reviews.
    current_step = models.PositiveSmallIntegerField("已完成环节", default=0)
    steps = models.JSONField("办理环节", default=list, blank=True)

    # Tolerated missing materials (容缺受理) and commitment approval (告知承诺).
    missing_materials = models.JSONField("容缺材料", default=list, blank=True)
    supply_due = models.DateField("容缺补交期限", null=True, blank=True)
    supply_overdue = models.BooleanField("容缺补交逾期", default=False)
    commitment = models.BooleanField("告知承诺", default=False)
    # 无证明: materials the platform supplied itself (licence library, data sharing, or an earlier
    # member of the same bundle case) — {"satisfied": [{material, how, reference}], "unsatisfied": [...],
    # "copies_saved": n, "visits_saved": n}. Recorded at submission; never asked of the applicant.
    shared_materials = models.JSONField("免提交材料（数据共享）", default=dict, blank=True)
    post_check_due = models.DateField("事后核查期限", null=True, blank=True)
    post_check_pending = models.BooleanField("待事后核查", default=False)

    # Decision and delivery.
    decision = models.CharField("决定", max_length=16, choices=Decision.choices, default="", blank=True)
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    decided_on = models.DateField("决定日期", null=True, blank=True)
    decision_reason = models.TextField("决定理由", blank=True, default="")
    deemed = models.CharField("系统默认", max_length=32, blank=True, default="",
                              help_text="deemed_acceptance / deemed_approval")
    delivery_due = models.DateField("送达期限", null=True, blank=True)
    delivery_overdue = models.BooleanField("送达逾期", default=False)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    delivery_method = models.CharField("送达方式", max_length=16, choices=DeliveryMethod.choices, blank=True, default="")

    version = models.PositiveIntegerField("版本", default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "办件"
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["deciding_unit", "status", "deadline"], name="case_decider_queue_idx"),
            models.Index(fields=["receiving_unit", "status", "deadline"], name="case_receiver_queue_idx"),
            models.Index(fields=["reviewing_unit", "status", "deadline"], name="case_reviewer_queue_idx"),
            models.Index(fields=["region", "status", "deadline"], name="case_region_queue_idx"),
            # A queue's first page is a walk of one of these in the list's order (deadline, submitted_at,
            # id), stopping at the page: by status (待受理, 办理中…) or by due state (临期, 超期).
            models.Index(fields=["due_state", "deadline", "submitted_at", "id"], name="case_due_queue_idx"),
            models.Index(fields=["status", "deadline", "submitted_at", "id"], name="case_status_queue_idx"),
            # The queue counters count open cases only: a small partial index holding every column the
            # visibility filter looks at, so the count reads the index, not the million-row table.
            models.Index(fields=["status", "due_state", "receiving_unit", "reviewing_unit", "deciding_unit",
                                 "applicant", "agent"], name="case_open_idx",
                         condition=models.Q(status__in=["submitted", "accepted", "in_review", "paused", "approved",
                                                        "denied"])),
            models.Index(fields=["applicant", "submitted_at"], name="case_applicant_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING


class CaseEvent(EventBase):
    """One change of a case. Appended, never edited (EventBase): the audit trail and the dashboards' source."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    actor_unit = models.ForeignKey("organisations.Unit", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "办件记录"
        ordering = ["case_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="case_event_seq_unique")]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.action}"


class CaseMaterial(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="materials")
    name = models.CharField("材料名称", max_length=128)
    file = models.FileField("文件", upload_to="cases/%Y/%m/")
    filename = models.CharField("原文件名", max_length=200)
    kind = models.CharField("格式", max_length=8)
    size = models.PositiveIntegerField("大小")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "办件材料"
        ordering = ["case_id", "id"]


class CoReview(models.Model):
    """A co-reviewing unit's opinion (联合审查); silence until slot_end counts as consent."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="co_reviews")
    unit = models.ForeignKey("organisations.Unit", on_delete=models.PROTECT, related_name="+")
    slot_end = models.DateField("意见期限")
    consent = models.BooleanField("同意", null=True, blank=True)
    opinion = models.TextField("意见", blank=True, default="")
    deemed = models.BooleanField("默认同意", default=False)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "联合审查意见"
        constraints = [models.UniqueConstraint(fields=["case", "unit"], name="co_review_unique")]
