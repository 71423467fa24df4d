from django.db import models


class OutboxMessage(models.Model):
    """A message for the world outside the transaction that produced it (notification, push).

    Written in the same transaction as the state change it reports, so a crash loses nothing;
    the relay marks it sent, so nothing is sent twice.
    """

    topic = models.CharField("主题", max_length=64, db_index=True)
    payload = models.JSONField("内容", default=dict)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    attempts = models.PositiveIntegerField("尝试次数", default=0)
    last_error = models.TextField("最后错误", blank=True, default="")

    class Meta:
        verbose_name = verbose_name_plural = "发件箱"
        indexes = [models.Index(fields=["sent_at", "id"], name="outbox_pending_idx")]

    def __str__(self) -> str:
        return f"{self.topic}#{self.pk}"


class ApiToken(models.Model):
    """A bearer token for other systems and scripts. Only its SHA-256 is stored.

    It expires (YIWANG_TOKEN_DAYS), is revoked by its user, by an administrator or by a password
    change, records when it was last used, and opens the API only (never the admin site)."""

    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    name = models.CharField("用途", max_length=64, blank=True, default="")
    created_at = models.DateTimeField("签发时间", auto_now_add=True)
    expires_at = models.DateTimeField("到期时间", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    revoked_reason = models.CharField("吊销原因", max_length=64, blank=True, default="")
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "接口令牌"

    def __str__(self) -> str:
        return f"{self.user.username} {self.name or self.key_hash[:8]}"


class AuditAction(models.TextChoices):
    LOGIN = "login", "登录"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOCKED_OUT = "locked_out", "登录锁定"
    LOGOUT = "logout", "退出"
    TOKEN_ISSUED = "token_issued", "签发令牌"
    TOKEN_REVOKED = "token_revoked", "吊销令牌"
    PASSWORD_CHANGED = "password_changed", "修改密码"
    READ_CASE = "read_case", "查看办件"
    READ_LICENCE = "read_licence", "查看证照"
    READ_MATERIAL = "read_material", "查看材料"
    READ_REQUESTER = "read_requester", "查看诉求人信息"


class AuditEntry(models.Model):
    """The security audit log: appended, never edited; each row chained to the one before by an SM3
    hash (`yiwang audit_seal` / the worker chains rows in id order, `yiwang audit_verify` checks the
    chain). Rows are written without a lock in the request; sealing follows within one worker tick,
    so a busy detail page never queues behind the log."""

    at = models.DateTimeField("时间")
    action = models.CharField("事件", max_length=32, choices=AuditAction.choices)
    actor = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    username = models.CharField("账号", max_length=150, blank=True, default="")
    address = models.CharField("来源地址", max_length=64, blank=True, default="")
    object_type = models.CharField("对象类型", max_length=32, blank=True, default="")
    object_id = models.CharField("对象", max_length=128, blank=True, default="")
    detail = models.JSONField("详情", default=dict, blank=True)
    # The position in the chain, given when sealed (a row whose transaction committed late is chained
    # after rows with higher ids: the chain follows sealing order, not id order).
    chain_seq = models.PositiveBigIntegerField("链序号", null=True, blank=True, unique=True)
    prev_hash = models.CharField(max_length=64, blank=True, default="")
    hash = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = verbose_name_plural = "安全审计日志"
        ordering = ["-id"]
        indexes = [models.Index(fields=["id"], name="audit_unsealed_idx", condition=models.Q(chain_seq__isnull=True))]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.get_action_display()}"


class Timer(models.Model):
    """A timer as a database row: it survives restarts and fires once.

    The worker fires a due timer in one transaction with whatever its handler changes, so the
    effect and the "fired" mark commit together or not at all.
    """

    kind = models.CharField("类型", max_length=64)
    key = models.CharField("对象", max_length=128, help_text="what it concerns, e.g. a case number")
    due_at = models.DateTimeField("到期时间")
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    fired_at = models.DateTimeField("触发时间", null=True, blank=True)
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")

    class Meta:
        verbose_name = verbose_name_plural = "定时器"
        constraints = [models.UniqueConstraint(fields=["kind", "key", "due_at"], name="timer_unique")]
        indexes = [
            models.Index(
                fields=["due_at"], name="timer_pending_idx",
                condition=models.Q(fired_at__isnull=True, cancelled_at__isnull=True),
            ),
            models.Index(fields=["kind", "key"], name="timer_kind_key_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}@{self.due_at:%Y-%m-%d %H:%M}"


class IdempotencyKey(models.Model):
    """A client's Idempotency-Key on a creating request (POST /api/v1/cases): a retry after a lost
    answer (a web server killed, a timeout) gets the first answer again instead of a second case.

    Written in the transaction that creates the record, so the key exists exactly when the record does.
    """

    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="+")
    scope = models.CharField("操作", max_length=40)
    key = models.CharField("幂等键", max_length=64)
    fingerprint = models.CharField("请求摘要", max_length=64)
    status = models.PositiveSmallIntegerField("响应状态", default=0)
    response = models.JSONField("响应", default=dict)
    created_at = models.DateTimeField("创建时间", db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "幂等键"
        constraints = [models.UniqueConstraint(fields=["user", "scope", "key"], name="idempotency_key_unique")]
