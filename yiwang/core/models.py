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
    """A bearer token for other systems and scripts. Only its SHA-256 is stored."""

    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "接口令牌"


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
