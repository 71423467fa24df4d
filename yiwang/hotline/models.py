"""The 12345 hotline and enterprise demands: requests, the category tree, dispatch rules, demand items."""

from django.conf import settings
from django.db import models

from yiwang.core.workflow.history import EventBase


class Kind(models.TextChoices):
    CONSULT = "consult", "咨询"
    HELP = "help", "求助"
    COMPLAINT = "complaint", "投诉"
    REPORT = "report", "举报"
    SUGGESTION = "suggestion", "建议"
    PRAISE = "praise", "表扬"


class RequestChannel(models.TextChoices):
    PHONE = "phone", "电话"
    WEB = "web", "网站"
    WECHAT = "wechat", "微信"
    MAILBOX = "mailbox", "信箱"
    SMS = "sms", "短信"
    WINDOW = "window", "办不成事窗口"
    OPEN311 = "open311", "Open311 接口"


class Status(models.TextChoices):
    NEW = "new", "待派单"
    DISPATCHED = "dispatched", "待签收"
    RETURNED = "returned", "已退回"
    ARBITRATION = "arbitration", "退单争议待裁定"
    HANDLING = "handling", "办理中"
    REPLIED = "replied", "已答复待回访"
    ESCALATED = "escalated", "办不成事协调中"
    CLOSED = "closed", "已办结"
    MERGED = "merged", "已并单"


OPEN_STATUSES = [Status.NEW, Status.DISPATCHED, Status.RETURNED, Status.ARBITRATION, Status.HANDLING,
                 Status.REPLIED, Status.ESCALATED]


class Category(models.Model):
    """A node of the request category tree (GB/T 39666-style 6-digit codes); the leaves are the
    Open311 services."""

    code = models.CharField("分类代码", max_length=16, unique=True)
    name = models.CharField("名称", max_length=64)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    description = models.CharField("说明", max_length=200, blank=True, default="")
    keywords = models.CharField("关键词", max_length=200, blank=True, default="")
    active = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "诉求分类"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def chain_ids(self) -> list[int]:
        ids, node = [], self
        while node is not None:
            ids.append(node.pk)
            node = node.parent
        return ids


class DispatchRule(models.Model):
    """Category and region → unit. Rules are tried in `order`; the first that matches wins. An empty
    category or region matches any; a rule matches a category's descendants and a region's subtree."""

    order = models.PositiveIntegerField("顺序", default=100)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.CASCADE, related_name="rules")
    region = models.ForeignKey("organisations.Region", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+")
    unit = models.ForeignKey("organisations.Unit", on_delete=models.CASCADE, related_name="+",
                             verbose_name="承办单位")
    active = models.BooleanField("在用", default=True)
    note = models.CharField("说明", max_length=200, blank=True, default="")

    class Meta:
        verbose_name = verbose_name_plural = "派单规则"
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.order}: {self.category or '任意分类'} / {self.region or '任意地区'} → {self.unit}"


class Request(models.Model):
    number = models.CharField("工单编号", max_length=32, unique=True)
    token = models.CharField("查询令牌", max_length=32, unique=True)
    kind = models.CharField("诉求类型", max_length=16, choices=Kind.choices)
    channel = models.CharField("来源渠道", max_length=16, choices=RequestChannel.choices)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.NEW, db_index=True)
    anonymous = models.BooleanField("匿名", default=False)
    private = models.BooleanField("不公开", default=False,
                                  help_text="诉求人要求不公开：不在公开的 12345 诉求栏和 Open311 接口中出现")
    requester = models.ForeignKey("parties.Party", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="hotline_requests", verbose_name="诉求人")
    requester_name = models.CharField("诉求人姓名", max_length=64, blank=True, default="")
    phone = models.CharField("联系电话", max_length=32, blank=True, default="")
    email = models.CharField("电子邮箱", max_length=128, blank=True, default="")
    is_demand = models.BooleanField("企业诉求", default=False, db_index=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="requests", verbose_name="分类")
    region = models.ForeignKey("organisations.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name="所在地区")
    address = models.CharField("地点", max_length=200, blank=True, default="")
    lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    title = models.CharField("标题", max_length=200)
    content = models.TextField("诉求内容")
    urgent = models.BooleanField("紧急", default=False)
    received_at = models.DateTimeField("受理时间", db_index=True)
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name="话务员")
    proposed_unit = models.ForeignKey("organisations.Unit", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", verbose_name="规则建议单位")
    unit = models.ForeignKey("organisations.Unit", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="hotline_requests", verbose_name="承办单位")
    dispatched_at = models.DateTimeField("派单时间", null=True, blank=True)  # the sign-for limit counts from here
    sign_due_at = models.DateTimeField("签收时限", null=True, blank=True)
    sign_overdue = models.BooleanField("签收超时", default=False, db_index=True)
    designated = models.BooleanField("指定承办（不可退回）", default=False)
    returns = models.PositiveSmallIntegerField("退单次数", default=0)
    reopens = models.PositiveSmallIntegerField("重办次数", default=0)
    deadline_from = models.DateTimeField("办理时限起算", null=True, blank=True)  # receipt, or the reopening
    deadline_at = models.DateTimeField("办理时限", null=True, blank=True, db_index=True)
    near_due_at = models.DateTimeField("临期时间", null=True, blank=True)
    deadline_provisional = models.BooleanField("期限为暂定", default=False)
    near_due = models.BooleanField("临期", default=False, db_index=True)
    overdue = models.BooleanField("超期", default=False, db_index=True)
    reply = models.TextField("答复内容", blank=True, default="")
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    satisfaction = models.PositiveSmallIntegerField("回访满意度（GB/T 39046 代码）", null=True, blank=True)
    article = models.ForeignKey("kb.Article", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                verbose_name="知识库答复")
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="merged_requests")
    lead_unit = models.ForeignKey("organisations.Unit", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name="牵头单位")
    co_units = models.ManyToManyField("organisations.Unit", blank=True, related_name="+", verbose_name="协办单位")
    joint_deadline_at = models.DateTimeField("协调办结时限", null=True, blank=True)
    outcome = models.TextField("办理结果", blank=True, default="")
    closed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField("版本", default=0)  # optimistic locking: the workflow engine

    class Meta:
        verbose_name = verbose_name_plural = "热线工单"
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["status", "deadline_at"], name="hotline_queue_idx"),
            models.Index(fields=["unit", "status", "deadline_at"], name="hotline_unit_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class RequestEvent(EventBase):
    """The history of a request (append-only; see core.workflow.history). `unit` is the unit the
    request was with when the event happened."""

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="events")
    unit = models.ForeignKey("organisations.Unit", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "工单办理记录"
        ordering = ["request_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["request", "seq"], name="hotline_event_seq_unique")]

    @property
    def action_label(self) -> str:
        from .workflow import action_label

        return action_label(self.action)

    @property
    def to_label(self) -> str:
        return dict(Status.choices).get(self.to_status, self.to_status)

    @property
    def actor_label(self) -> str:
        from .workflow import ACTOR_LABELS

        return ACTOR_LABELS.get(self.actor_kind, self.actor_kind)


class Attachment(models.Model):
    """A file given with a request (photo, scan). Kind from the content (cases.materials.sniff), never
    from the name; served only to the hotline, the handling units and the requester's token."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="hotline/%Y/%m/")
    name = models.CharField(max_length=200)
    kind = models.CharField("格式", max_length=8, blank=True, default="")
    size = models.PositiveIntegerField("大小", default=0)
    sha256 = models.CharField(max_length=64, blank=True, default="")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "工单附件"
        ordering = ["request_id", "id"]


class DemandItem(models.Model):
    """One item of an enterprise demand, closed on its own (对单销号)."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(default=1)
    content = models.TextField("诉求事项")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    result = models.TextField("办理结果", blank=True, default="")

    class Meta:
        verbose_name = verbose_name_plural = "企业诉求事项"
        ordering = ["request_id", "order"]


class DemandBaseline(models.Model):
    """A closure figure reported before the platform (the seeds: 2219 of 2260), added to the computed one."""

    region = models.ForeignKey("organisations.Region", on_delete=models.CASCADE, related_name="+")
    period = models.CharField("期间", max_length=32)
    received = models.PositiveIntegerField("受理诉求数")
    closed = models.PositiveIntegerField("办结数")
    source = models.CharField("来源", max_length=200, blank=True, default="")

    class Meta:
        verbose_name = verbose_name_plural = "企业诉求历史基数"


class BulletinEdition(models.Model):
    """One issued 12345 简报 (日报/周报/月报) of a region's subtree, as the worker generated it when its period
    ended: the PDF and the Excel file are kept as issued, so a leader opens the same edition every time.
    One edition per kind, period and region (the unique constraint makes a second worker's attempt a no-op)."""

    kind = models.CharField("周期", max_length=8, choices=[("day", "日报"), ("week", "周报"), ("month", "月报")])
    start = models.DateField("起始日期")
    end = models.DateField("截止日期（不含）")
    label = models.CharField("期次", max_length=64)
    region = models.ForeignKey("organisations.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name="行政区划")
    scope = models.CharField("范围", max_length=200)
    summary = models.JSONField("主要指标", default=list)
    pdf = models.BinaryField("PDF")
    xlsx = models.BinaryField("Excel")
    generated_at = models.DateTimeField("生成时间")

    class Meta:
        verbose_name = verbose_name_plural = "12345简报（期次）"
        ordering = ["-start", "kind", "region_id"]
        constraints = [models.UniqueConstraint(fields=["kind", "start", "region"], name="bulletin_edition_unique")]
