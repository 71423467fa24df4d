"""好差评: ratings on completed cases (一事一评), window services (一次一评) and hotline replies,
and the rectification that a bad review opens.

Levels are stored as the GB/T 39046—2020 表A.8 满意度代码: 1 非常满意, 2 满意, 3 基本满意, 4 不满意,
5 非常不满意 (4 and 5 are bad reviews). The glossary's `rating` 5..1 is the reverse scale, for display
as stars: stars = 6 - level (see rules.stars).
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone

from yiwang.core.workflow.history import EventBase


class Level(models.IntegerChoices):
    VERY_SATISFIED = 1, "非常满意"
    SATISFIED = 2, "满意"
    BASIC = 3, "基本满意"
    DISSATISFIED = 4, "不满意"
    VERY_DISSATISFIED = 5, "非常不满意"


class SubjectKind(models.TextChoices):
    CASE = "case", "办件（一事一评）"
    WINDOW = "window", "窗口服务（一次一评）"
    HOTLINE = "hotline", "热线答复"
    # One rating for a whole bundle case (一件事一次办, 一事一评); it counts through the per-member
    # slots it is attributed to (one per member case, each its unit's), not by itself.
    BUNDLE = "bundle", "一件事（一事一评）"
    GRANT = "grant", "政策兑现"


class EvalChannel(models.TextChoices):
    """GB/T 39046 表9 评价渠道."""

    PAD = "pad", "政务大厅平板电脑"
    QR = "qr", "二维码"
    WEB = "web", "PC端"
    MOBILE = "mobile", "移动服务端"
    SMS = "sms", "短信"
    HOTLINE = "hotline", "电话"
    SYSTEM = "system", "系统默认"


class EvalStatus(models.TextChoices):
    INVITED = "invited", "待评价"
    RATED = "rated", "已评价"
    DEFAULTED = "defaulted", "默认评价"
    VOIDED = "voided", "申诉作废"


class EvaluationPolicy(models.Model):
    """Configurable numbers per region (null = the platform default)."""

    region = models.OneToOneField("organisations.Region", null=True, blank=True, on_delete=models.CASCADE,
                                  verbose_name="行政区划")
    default_after_days = models.PositiveSmallIntegerField("未评价默认天数（自然日）", default=7)
    default_level = models.PositiveSmallIntegerField("默认评价等级", choices=Level.choices, default=Level.BASIC)
    contact_working_days = models.PositiveSmallIntegerField("差评回访时限（工作日）", default=1)
    fix_working_days = models.PositiveSmallIntegerField("差评整改时限（工作日）", default=15)

    class Meta:
        verbose_name = verbose_name_plural = "好差评规则"

    def __str__(self) -> str:
        return f"好差评规则（{self.region or '全平台默认'}）"


class Evaluation(models.Model):
    """One rating slot: one subject, one round. Opened by evaluation_invite, filled by the rater."""

    subject_kind = models.CharField("评价对象", max_length=16, choices=SubjectKind.choices)
    subject_ref = models.CharField("办件编号/服务编号", max_length=64)
    round = models.PositiveSmallIntegerField("评价次数", default=1)
    token = models.CharField("评价码", max_length=32, unique=True)
    status = models.CharField("状态", max_length=16, choices=EvalStatus.choices, default=EvalStatus.INVITED)
    level = models.PositiveSmallIntegerField("满意度代码", choices=Level.choices, null=True, blank=True)
    bad = models.BooleanField("差评", default=False)
    channel = models.CharField("评价渠道", max_length=16, choices=EvalChannel.choices, blank=True, default="")
    text = models.TextField("文字评价", blank=True, default="")
    problem_type = models.CharField("差评问题类型", max_length=16, blank=True, default="")  # rules.PROBLEM_TYPES
    rater_party = models.ForeignKey("parties.Party", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="评价人")
    rater_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="评价账号")
    rater_name = models.CharField("评价人姓名", max_length=64, blank=True, default="")
    rater_phone = models.CharField("评价人电话", max_length=32, blank=True, default="")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="evaluations_received", verbose_name="被评价人员")
    window = models.ForeignKey("organisations.Window", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name="窗口")
    unit = models.ForeignKey("organisations.Unit", on_delete=models.PROTECT, related_name="evaluations",
                             verbose_name="被评价单位")
    implementation = models.ForeignKey("catalogue.ItemImplementation", null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="+", verbose_name="事项")
    park = models.ForeignKey("organisations.Unit", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name="园区")
    invited_at = models.DateTimeField("邀请时间")
    default_due_at = models.DateTimeField("默认评价时间")
    rated_at = models.DateTimeField("评价时间", null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "好差评"
        ordering = ["-invited_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["subject_kind", "subject_ref", "round"], name="evaluation_one_per_round"),
            models.CheckConstraint(condition=models.Q(level__isnull=True) | models.Q(level__gte=1, level__lte=5),
                                   name="evaluation_level_range"),
        ]
        indexes = [models.Index(fields=["unit", "rated_at"], name="evaluation_unit_rated_idx")]

    def __str__(self) -> str:
        return f"{self.get_subject_kind_display()} {self.subject_ref} 第{self.round}次"

    @property
    def problem_type_label(self) -> str:
        from .rules import PROBLEM_TYPES

        return PROBLEM_TYPES.get(self.problem_type, "")


class EvaluationEvent(EventBase):
    """A rating slot's own history (invited, rated, defaulted, voided), in the engine's event shape:
    seq numbered per slot, business time (a default acts as of its due time), actor kind
    (rater / supervisor / system). The rectification's steps are RectificationEvent rows."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="events")

    class Meta:
        ordering = ["at", "seq"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "seq"], name="evaluation_event_unique_seq")]


class RectStatus(models.TextChoices):
    OPEN = "open", "待回访"
    CONTACTED = "contacted", "已回访待核实"
    VERIFIED = "verified", "已核实待整改"
    FIXED = "fixed", "已整改待复评"
    APPEALED = "appealed", "申诉中"
    CLOSED = "closed", "已办结"
    VOIDED = "voided", "差评作废"


class Rectification(models.Model):
    evaluation = models.OneToOneField(Evaluation, on_delete=models.PROTECT, related_name="rectification")
    unit = models.ForeignKey("organisations.Unit", on_delete=models.PROTECT, related_name="rectifications")
    status = models.CharField("状态", max_length=16, choices=RectStatus.choices, default=RectStatus.OPEN,
                              db_index=True)
    status_before_appeal = models.CharField(max_length=16, blank=True, default="")
    contact_due_at = models.DateTimeField("回访时限")
    fix_due_at = models.DateTimeField("整改时限")
    contacted_at = models.DateTimeField(null=True, blank=True)
    contact_note = models.TextField("回访记录", blank=True, default="")
    verified_at = models.DateTimeField(null=True, blank=True)
    verify_note = models.TextField("核实情况", blank=True, default="")
    fixed_at = models.DateTimeField(null=True, blank=True)
    fix_note = models.TextField("整改情况", blank=True, default="")
    appeal_reason = models.TextField("申诉理由", blank=True, default="")
    appeal_decision_note = models.TextField("申诉处理意见", blank=True, default="")
    rerating = models.ForeignKey(Evaluation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name="复评")
    closed_at = models.DateTimeField(null=True, blank=True)
    on_time = models.BooleanField("按时整改", null=True)
    contact_overdue = models.BooleanField("回访超期", default=False)
    overdue = models.BooleanField("整改超期", default=False, db_index=True)
    # The limits granted when it opened (null: opened before they were recorded; the region's policy
    # then), so that a calendar change recounts the same number of working days.
    contact_days = models.PositiveSmallIntegerField("回访时限（工作日）", null=True, blank=True)
    fix_days = models.PositiveSmallIntegerField("整改时限（工作日）", null=True, blank=True)
    deadline_provisional = models.BooleanField("期限为暂定", default=False)
    version = models.PositiveIntegerField("记录版本", default=1)  # the workflow's lock; seq of the last event
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "差评整改"
        ordering = ["fix_due_at"]

    def __str__(self) -> str:
        return f"整改：{self.evaluation}"

    @property
    def deadline(self) -> date | None:
        """The limit running now (the events record it): contact while not contacted, then the fix."""
        if self.status == RectStatus.OPEN:
            return timezone.localdate(self.contact_due_at)
        if self.status in (RectStatus.CONTACTED, RectStatus.VERIFIED):
            return timezone.localdate(self.fix_due_at)
        return None


class RectificationEvent(EventBase):
    """The rectification workflow's history: one row per action (open, contact, verify, fix, appeal,
    uphold, void, rerate, the overdue flags, calendar moves)."""

    rectification = models.ForeignKey(Rectification, on_delete=models.PROTECT, related_name="events")

    class Meta:
        ordering = ["seq"]
        constraints = [models.UniqueConstraint(fields=["rectification", "seq"], name="rectification_event_unique_seq")]
