"""Construction projects (工程建设项目): the project from 洽谈 to 办证, its members by stage (the items,
bundles, pre-service tasks and 四即 milestones) linked to the real cases filed under it, its named
agent (一个项目、一名专员) and its schedule as last computed."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from yiwang.core.workflow.history import EventBase

from .rules import KINDS, MILESTONES, STAGES, project_code_error


class ProjectStatus(models.TextChoices):
    NEGOTIATING = "negotiating", "洽谈"
    SIGNED = "signed", "已签约"
    LAND_SUPPLIED = "land_supplied", "已供地"
    STARTED = "started", "已开工"
    COMPLETED = "completed", "已竣工"
    CERTIFIED = "certified", "已办证"
    TERMINATED = "terminated", "已终止"


class InvestmentKind(models.TextChoices):
    GOVERNMENT = "government", "政府投资"
    SOCIAL = "social", "社会投资"


class ApprovalKind(models.TextChoices):
    GENERAL = "general", "一般项目"
    WITH_PLAN = "with_plan", "带方案出让"
    LOW_RISK = "low_risk", "简易低风险"


class KeyLevel(models.TextChoices):
    NONE = "", "非重点项目"
    PROVINCE = "province", "省重点"
    CITY = "city", "市重点"
    COUNTY = "county", "县重点"


def validate_code(value: str) -> None:
    error = project_code_error(value)
    if error:
        raise ValidationError(error)


class Project(models.Model):
    code = models.CharField("项目代码", max_length=24, unique=True, validators=[validate_code])
    name = models.CharField("项目名称", max_length=128)
    enterprise = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="projects",
                                   verbose_name="建设单位")
    park = models.ForeignKey("organisations.Unit", on_delete=models.PROTECT, related_name="projects",
                             limit_choices_to={"kind": "park"}, verbose_name="所在园区")
    investment_kind = models.CharField("投资类型", max_length=16, choices=InvestmentKind.choices)
    approval_kind = models.CharField("审批类型", max_length=16, choices=ApprovalKind.choices)
    investment = models.DecimalField("总投资（万元）", max_digits=12, decimal_places=2)
    land_parcel = models.CharField("地块", max_length=128, blank=True, default="")
    key_level = models.CharField("重点项目", max_length=16, choices=KeyLevel.choices, blank=True, default="")
    begun_on = models.DateField("洽谈开始日期")
    target_sign_on = models.DateField("计划签约日期", null=True, blank=True)
    construction_days = models.PositiveSmallIntegerField("施工工期（工作日）", default=160)
    target_certificate_on = models.DateField("目标办证日期", null=True, blank=True)
    land_notice_days = models.PositiveSmallIntegerField("签约后发布土地出让公告（工作日）", default=5)
    signed_on = models.DateField("签约日期", null=True, blank=True)
    land_notice_on = models.DateField("土地出让公告日期", null=True, blank=True)
    land_supplied_on = models.DateField("交地日期", null=True, blank=True)
    started_on = models.DateField("开工日期", null=True, blank=True)
    completed_on = models.DateField("竣工日期", null=True, blank=True)
    certified_on = models.DateField("办证日期", null=True, blank=True)
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="agent_projects", verbose_name="帮代办专员")
    status = models.CharField("状态", max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.NEGOTIATING)
    # The schedule as last computed (rules.schedule): the list page reads these, not the whole network.
    projected_finish = models.DateField("预计办证日期", null=True, blank=True)
    approval_days = models.PositiveIntegerField("预计审批用时（工作日）", default=0)
    critical = models.JSONField("关键路径", default=list, blank=True)
    warnings = models.JSONField("预警", default=list, blank=True)
    schedule_provisional = models.BooleanField("进度为暂定（日历未发布）", default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField("登记时间")
    version = models.PositiveIntegerField("版本", default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "工程建设项目"
        ordering = ["-created_at", "code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def warning_count(self) -> int:
        return sum(1 for w in self.warnings if w.get("level", "warning") == "warning")


class ProjectEvent(EventBase):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="events")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "seq"], name="project_event_seq")]
        ordering = ["project_id", "seq"]


class ProjectMember(models.Model):
    """One member of a project: a pre-service task, a milestone, a catalogue item (one case) or a
    bundle (one bundle case); `after` lists the keys it waits for. Its case link and a task's done
    date are written by the project workflow's actions (each an event of the project)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="members")
    key = models.CharField("成员代码", max_length=32)
    order = models.PositiveSmallIntegerField("顺序")
    stage = models.CharField("阶段", max_length=16, choices=list(STAGES.items()))
    kind = models.CharField("类别", max_length=16, choices=list(KINDS.items()))
    label = models.CharField("名称", max_length=64)
    milestone = models.CharField("四即", max_length=16, choices=[("", "—"), *MILESTONES.items()], blank=True,
                                 default="")
    phase = models.CharField("施工许可阶段", max_length=32, blank=True, default="")
    implementation = models.ForeignKey("catalogue.ItemImplementation", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+", verbose_name="事项")
    bundle = models.ForeignKey("catalogue.Bundle", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name="一件事")
    days = models.PositiveSmallIntegerField("承诺时限（工作日）")
    after = models.JSONField("等待", default=list, blank=True)
    case = models.OneToOneField("cases.Case", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="project_member", verbose_name="办件")
    bundle_case = models.OneToOneField("bundlecases.BundleCase", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="project_member", verbose_name="一件事办件")
    done_on = models.DateField("完成日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "项目成员"
        ordering = ["project_id", "order"]
        constraints = [models.UniqueConstraint(fields=["project", "key"], name="project_member_key")]

    def __str__(self) -> str:
        return self.label
