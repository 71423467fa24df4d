"""帮办代办: agent teams (a park's or a county's 帮代办 unit), authorisations (授权委托) a party grants
to an agent — online in their own account, or recorded by a window clerk from a signed paper with
its scan — limited to items and a validity period, revocable; fees the agent paid on the party's
behalf (代办代缴) and the party's rating of its agent."""

from django.conf import settings
from django.db import models

from yiwang.core.workflow.history import EventBase


class AgentTeam(models.Model):
    """A park's or a county's 帮代办 team. Its members are the staff of its unit with the agent role
    (organisations.Role.AGENT), so one Staff row says both "works there" and "is an agent"."""

    unit = models.OneToOneField("organisations.Unit", on_delete=models.PROTECT, related_name="agent_team",
                                verbose_name="所属单位")
    name = models.CharField("名称", max_length=64)
    phone = models.CharField("服务电话", max_length=32, blank=True, default="")
    address = models.CharField("服务地点", max_length=200, blank=True, default="")

    class Meta:
        verbose_name = verbose_name_plural = "帮代办团队"
        ordering = ["unit__region_id", "unit__code"]

    def __str__(self) -> str:
        return self.name


class AuthStatus(models.TextChoices):
    GRANTED = "granted", "有效"
    REVOKED = "revoked", "已撤销"
    EXPIRED = "expired", "已到期"


class AuthSource(models.TextChoices):
    ONLINE = "online", "本人网上授权"
    PAPER = "paper", "窗口录入纸质授权书"


class Authorisation(models.Model):
    """授权委托: the party (grantor) lets the agent act for it on the items in scope, from valid_from
    to valid_until inclusive. Its status moves only on the workflow (workflow.py)."""

    number = models.CharField("授权编号", max_length=24, unique=True)
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="authorisations",
                              verbose_name="委托人")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="agent_authorisations",
                              verbose_name="代办人")
    team = models.ForeignKey(AgentTeam, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="authorisations", verbose_name="帮代办团队")
    all_items = models.BooleanField("全部事项", default=False)
    items = models.JSONField("授权事项（基本编码）", default=list, blank=True)
    valid_from = models.DateField("生效日期")
    valid_until = models.DateField("截止日期")
    status = models.CharField("状态", max_length=16, choices=AuthStatus.choices, default=AuthStatus.GRANTED)
    source = models.CharField("来源", max_length=16, choices=AuthSource.choices)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="登记人")
    recorded_unit = models.ForeignKey("organisations.Unit", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+", verbose_name="录入窗口单位")
    scan = models.FileField("授权书扫描件", upload_to="agents/%Y/%m/", blank=True)
    scan_kind = models.CharField("扫描件格式", max_length=8, blank=True, default="")
    scan_sha256 = models.CharField("扫描件摘要", max_length=64, blank=True, default="")
    granted_at = models.DateTimeField("授权时间")
    ended_on = models.DateField("终止日期", null=True, blank=True)
    end_reason = models.CharField("终止原因", max_length=200, blank=True, default="")
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "授权委托"
        ordering = ["-granted_at", "number"]
        indexes = [models.Index(fields=["agent", "status", "valid_until"], name="auth_agent_status_idx"),
                   models.Index(fields=["party", "status"], name="auth_party_status_idx")]

    def __str__(self) -> str:
        return self.number


class AuthorisationEvent(EventBase):
    authorisation = models.ForeignKey(Authorisation, on_delete=models.PROTECT, related_name="events")

    class Meta:
        verbose_name = verbose_name_plural = "授权委托记录"
        ordering = ["authorisation_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["authorisation", "seq"], name="auth_event_unique_seq")]


class AuthorisationCounter(models.Model):
    """The daily sequence of authorisation numbers (core.numbering)."""

    prefix = models.CharField(max_length=8)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "day"], name="auth_counter_unique_day")]


class FeePayment(models.Model):
    """代办代缴: a fee the agent paid on the party's behalf for one of the cases it filed. A record,
    never edited: a wrong one is answered by a new one (and the receipt is the evidence)."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="agent_payments",
                             verbose_name="办件")
    authorisation = models.ForeignKey(Authorisation, on_delete=models.PROTECT, related_name="payments",
                                      verbose_name="授权委托")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name="代缴人")
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2)
    purpose = models.CharField("缴费项目", max_length=100)
    paid_on = models.DateField("缴费日期")
    receipt_no = models.CharField("票据号码", max_length=64)
    receipt = models.FileField("票据扫描件", upload_to="agents/receipts/%Y/%m/", blank=True)
    receipt_kind = models.CharField("票据格式", max_length=8, blank=True, default="")
    receipt_sha256 = models.CharField("票据摘要", max_length=64, blank=True, default="")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "代办代缴记录"
        ordering = ["-paid_on", "-id"]


class AgentRating(models.Model):
    """The party's rating of its agent under one authorisation (1–5, 5 best), given once."""

    authorisation = models.OneToOneField(Authorisation, on_delete=models.PROTECT, related_name="rating",
                                         verbose_name="授权委托")
    score = models.PositiveSmallIntegerField("评分")
    comment = models.CharField("评价内容", max_length=500, blank=True, default="")
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rated_at = models.DateTimeField("评价时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "代办服务评价"
        constraints = [models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5),
                                              name="agent_rating_score_1_5")]
