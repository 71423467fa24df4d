"""Electronic licences (电子证照), their history, and the units' seals (行政审批专用章)."""

from django.db import models
from django.db.models import Q

from yiwang.core.workflow.history import EventBase


class LicenceType(models.Model):
    name = models.CharField("证照类型名称", max_length=64, unique=True)
    code = models.CharField("证照类型代码", max_length=32, unique=True,
                            help_text="定义机构统一社会信用代码 + 3位类型序号")
    defining_body = models.CharField("证照定义机构", max_length=64, blank=True, default="")
    validity_years = models.PositiveSmallIntegerField("有效期（年）", null=True, blank=True,
                                                      help_text="空为长期有效")

    class Meta:
        verbose_name = verbose_name_plural = "证照类型"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Seal(models.Model):
    """A unit's approval seal: an SM2 key pair. One active seal per unit; retired seals still verify."""

    unit = models.ForeignKey("organisations.Unit", on_delete=models.PROTECT, related_name="seals")
    name = models.CharField("印章名称", max_length=160)
    public_key = models.CharField("SM2 公钥（04||x||y，十六进制）", max_length=130)
    private_key_encrypted = models.TextField("加密的私钥", help_text="SM4-CBC + HMAC-SM3，主密钥来自环境变量")
    created_at = models.DateTimeField("启用时间", auto_now_add=True)
    retired_at = models.DateTimeField("停用时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "电子印章"
        ordering = ["unit_id", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["unit"], condition=Q(retired_at__isnull=True), name="seal_one_active"),
        ]

    def __str__(self) -> str:
        return f"{self.name}#{self.pk}"


class LicenceStatus(models.TextChoices):
    VALID = "valid", "有效"
    SUSPENDED = "suspended", "暂扣"
    REVOKED = "revoked", "撤销"
    CANCELLED = "cancelled", "注销"
    EXPIRED = "expired", "失效"


class LicenceSerial(models.Model):
    """The serial counter per (licence type, issuer code)."""

    licence_type = models.ForeignKey(LicenceType, on_delete=models.PROTECT, related_name="+")
    issuer_code = models.CharField(max_length=18)
    last = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "证照流水号"
        constraints = [models.UniqueConstraint(fields=["licence_type", "issuer_code"], name="licence_serial_unique")]


class Licence(models.Model):
    identifier = models.CharField("证照标识", max_length=128, unique=True)
    licence_type = models.ForeignKey(LicenceType, on_delete=models.PROTECT, related_name="licences",
                                     verbose_name="证照类型")
    serial = models.CharField("流水号", max_length=32)
    version = models.PositiveSmallIntegerField("版本号", default=1)
    holder = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="licences",
                               verbose_name="持证主体")
    holder_name = models.CharField("持证主体名称", max_length=128)
    holder_number = models.CharField("持证主体代码", max_length=18, db_index=True)
    issuer = models.ForeignKey("organisations.Unit", on_delete=models.PROTECT, related_name="licences_issued",
                               verbose_name="颁发机构")
    issuer_name = models.CharField("颁发机构名称", max_length=128)
    issuer_code = models.CharField("颁发机构代码", max_length=18)
    in_name_of = models.ForeignKey("organisations.Unit", on_delete=models.PROTECT, related_name="+",
                                   verbose_name="以谁的名义")
    in_name_of_name = models.CharField("以谁的名义（名称）", max_length=128)
    in_name_of_code = models.CharField("以谁的名义（代码）", max_length=18)
    case_number = models.CharField("办件编号", max_length=64, null=True, blank=True, db_index=True)
    issue_date = models.DateField("颁发日期")
    valid_from = models.DateField("有效期起始")
    valid_to = models.DateField("有效期截止", null=True, blank=True, help_text="空为长期有效")
    content = models.JSONField("证照内容", default=dict, blank=True)
    status = models.CharField("状态", max_length=16, choices=LicenceStatus.choices, default=LicenceStatus.VALID)
    status_reason = models.CharField("状态原因", max_length=500, blank=True, default="")
    seal = models.ForeignKey(Seal, on_delete=models.PROTECT, related_name="licences", verbose_name="签章印章")
    payload_hash = models.CharField("签名数据 SM3", max_length=64)
    signature = models.CharField("SM2 签名（r||s）", max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    # The last cryptographic verification (at issue and at each status change), so that data sharing
    # need not repeat SM2 for a licence unchanged since: the SM3 of the data whose signature and
    # history verified ("" = not verified, or failed), and an HMAC binding it to this row's state.
    verified_hash = models.CharField("核验通过的签名数据 SM3", max_length=64, blank=True, default="")
    verified_mac = models.CharField("核验记录校验码", max_length=64, blank=True, default="")
    # The workflow's optimistic lock and the seq of the last event (1 = issued). Not `version`: that
    # is the licence's edition, part of its identifier and of the signed data.
    lock_version = models.PositiveIntegerField("记录版本", default=1)

    class Meta:
        verbose_name = verbose_name_plural = "电子证照"
        ordering = ["-issue_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["licence_type", "issuer_code", "serial", "version"],
                                    name="licence_unique_serial"),
            models.UniqueConstraint(fields=["case_number", "licence_type", "version"],
                                    condition=Q(case_number__isnull=False), name="licence_one_per_case"),
        ]
        indexes = [
            # 无证明: a holder's valid licences of one type, newest first, read until one holds.
            models.Index(fields=["holder_number", "licence_type", "-issue_date", "-id"],
                         condition=Q(status="valid"), name="licence_holder_type_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.licence_type.name} {self.identifier}"


class LicenceEvent(EventBase):
    """A licence's history (the engine's event shape: seq = the licence's lock_version, action,
    from/to, actor and actor kind, business time), appended, never edited. Each event is chained to
    the one before by hash and signed by the seal that acted, so that a rewritten status is detected;
    the licence workflow's prepare_event computes the chain just before the event is saved."""

    licence = models.ForeignKey(Licence, on_delete=models.PROTECT, related_name="events")
    actor_name = models.CharField("操作人", max_length=150, blank=True, default="")
    prev_hash = models.CharField(max_length=64, blank=True, default="")
    hash = models.CharField(max_length=64)
    seal = models.ForeignKey(Seal, on_delete=models.PROTECT, related_name="+")
    signature = models.CharField(max_length=128)

    class Meta:
        verbose_name = verbose_name_plural = "证照事件"
        ordering = ["licence_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["licence", "seq"], name="licence_event_unique_seq")]

    def __str__(self) -> str:
        return f"{self.licence_id}#{self.seq} {self.action}"


class TaxClearance(models.Model):
    """A tax clearance (清税) recorded by the tax bureau: the local source of 清税证明."""

    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="tax_clearances")
    document_number = models.CharField("清税文书号", max_length=64)
    cleared_on = models.DateField("清税日期")
    unit = models.ForeignKey("organisations.Unit", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+", verbose_name="税务机关")

    class Meta:
        verbose_name = verbose_name_plural = "清税记录"
        ordering = ["-cleared_on"]

    def __str__(self) -> str:
        return f"{self.party} {self.document_number}"


class CompletionFiling(models.Model):
    """A completion-acceptance filing (竣工验收备案): the local source of 竣工验收备案证明."""

    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="completion_filings",
                              verbose_name="建设单位")
    project_name = models.CharField("工程名称", max_length=200)
    filing_number = models.CharField("备案编号", max_length=64, unique=True)
    filed_on = models.DateField("备案日期")
    unit = models.ForeignKey("organisations.Unit", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+", verbose_name="备案机关")

    class Meta:
        verbose_name = verbose_name_plural = "竣工验收备案"
        ordering = ["-filed_on"]

    def __str__(self) -> str:
        return f"{self.project_name}（{self.filing_number}）"
