"""Bundle cases (一件事一次办): one application for a bundle, spawning one child case per member.

The BundleCase row is the current state; BundleCaseEvent rows are its history (appended, never
edited). Children are ordinary cases of the case engine; BundleMemberCase links each child to the
bundle case and the member it was started for. A member can have several attempts: a failed member
resumed after correction gets a new child case (attempt 2, …); finished members are never redone.

Why a link table rather than a `bundle_case` foreign key on Case: the case engine stays unaware of
bundles (its migrations do not depend on this app), a member's attempts are explicit rows with
their own unique constraint (bundle case, member, attempt) — the guarantee that a member is
started once — and the fed materials (licence identifiers) sit on the link.
"""

from django.conf import settings
from django.db import models

from yiwang.core.workflow.history import EventBase


class BundleCaseStatus(models.TextChoices):
    SUBMITTED = "submitted", "待受理"
    ACCEPTED = "accepted", "已受理"
    RUNNING = "running", "办理中"
    COMPLETED = "completed", "已办结"
    STOPPED = "stopped", "已暂停（有事项未通过）"
    WITHDRAWN = "withdrawn", "已撤回"


class BundleCaseCounter(models.Model):
    """The last sequence number given to a bundle's cases on one day."""

    code = models.CharField(max_length=32)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["code", "day"], name="bundle_case_counter_unique")]


class BundleCase(models.Model):
    number = models.CharField("一件事办件编号", max_length=64, unique=True)
    bundle = models.ForeignKey("catalogue.Bundle", on_delete=models.PROTECT, related_name="cases",
                               verbose_name="一件事")
    applicant = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="bundle_cases",
                                  verbose_name="申请人")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name="提交人")
    channel = models.CharField("申请渠道", max_length=16)
    status = models.CharField("状态", max_length=16, choices=BundleCaseStatus.choices,
                              default=BundleCaseStatus.SUBMITTED)
    form = models.JSONField("合并申请表", default=dict, blank=True)
    # What the bundle window received: {"paper": [...], "tolerate": [...]} (merged material names).
    materials = models.JSONField("收取材料", default=dict, blank=True)
    submitted_at = models.DateTimeField("提交时间")
    received_on = models.DateField("收件日期")
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="受理人")
    promised_days = models.PositiveIntegerField("承诺时限（工作日）", default=0)
    deadline = models.DateField("办结期限", null=True, blank=True)
    deadline_provisional = models.BooleanField("期限为暂定", default=False)
    completed_at = models.DateTimeField("办结时间", null=True, blank=True)
    stop_reason = models.TextField("暂停原因", blank=True, default="")
    version = models.PositiveIntegerField("版本", default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "一件事办件"
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["status", "deadline"], name="bundle_case_status_idx"),
            models.Index(fields=["applicant", "submitted_at"], name="bundle_case_applicant_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class BundleCaseEvent(EventBase):
    """One change of a bundle case. Appended, never edited (EventBase)."""

    bundle_case = models.ForeignKey(BundleCase, on_delete=models.PROTECT, related_name="events")

    class Meta:
        verbose_name = verbose_name_plural = "一件事办件记录"
        ordering = ["bundle_case_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["bundle_case", "seq"], name="bundle_case_event_seq_unique")]


class BundleMemberCase(models.Model):
    """The child case started for one member of a bundle case (one row per attempt)."""

    bundle_case = models.ForeignKey(BundleCase, on_delete=models.PROTECT, related_name="member_cases")
    member = models.ForeignKey("catalogue.BundleMember", on_delete=models.PROTECT, related_name="+")
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="bundle_link")
    attempt = models.PositiveSmallIntegerField("第几次", default=1)
    started_at = models.DateTimeField("开始时间")
    fed = models.JSONField("前序事项产生的材料", default=dict, blank=True,
                           help_text="{材料名称: 证照标识}")

    class Meta:
        verbose_name = verbose_name_plural = "一件事子办件"
        ordering = ["bundle_case_id", "id"]
        constraints = [models.UniqueConstraint(fields=["bundle_case", "member", "attempt"],
                                               name="bundle_member_attempt_unique")]


class BundleCaseMaterial(models.Model):
    """A material uploaded for the whole bundle case (at the online application, or a tolerated one
    supplied later), checked by content like a case's; each member started afterwards that asks for
    it receives a copy as its own case material."""

    bundle_case = models.ForeignKey(BundleCase, on_delete=models.PROTECT, related_name="uploads")
    name = models.CharField("材料名称", max_length=128)
    file = models.FileField("文件", upload_to="bundles/%Y/%m/")
    filename = models.CharField("原文件名", max_length=200)
    kind = models.CharField("格式", max_length=8)
    size = models.PositiveIntegerField("大小")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "一件事材料"
        ordering = ["bundle_case_id", "id"]
