"""一企一档 (the enterprise profile policies select on), policies with their rules, and grants
(政策兑现 / 直给直兑) moving on the workflow engine."""

from django.db import models

from yiwang.core.workflow.history import EventBase


class Size(models.TextChoices):
    LARGE = "large", "大型"
    MEDIUM = "medium", "中型"
    SMALL = "small", "小型"
    MICRO = "micro", "微型"


class CreditGrade(models.TextChoices):
    A = "A", "A级"
    B = "B", "B级"
    M = "M", "M级"
    C = "C", "C级"
    D = "D", "D级"


class EnterpriseProfile(models.Model):
    """One row per enterprise: the latest value of every figure a rule may select on.

    The columns are what rules compile against (one SQL query over all enterprises); `sources`
    says for each column where its value came from and as of which date."""

    party = models.OneToOneField("parties.Party", on_delete=models.PROTECT, related_name="profile",
                                 verbose_name="企业")
    industry_code = models.CharField("所属行业（GB/T 4754）", max_length=5, blank=True, default="", db_index=True)
    size = models.CharField("企业规模", max_length=8, choices=Size.choices, blank=True, default="")
    registered_on = models.DateField("成立日期", null=True, blank=True)
    employees = models.PositiveIntegerField("从业人数", null=True, blank=True)
    insured = models.PositiveIntegerField("社保参保人数", null=True, blank=True)
    revenue = models.DecimalField("营业收入（万元）", max_digits=14, decimal_places=2, null=True, blank=True)
    tax_paid = models.DecimalField("纳税额（万元）", max_digits=14, decimal_places=2, null=True, blank=True)
    investment = models.DecimalField("固定资产投资（万元）", max_digits=14, decimal_places=2, null=True, blank=True)
    credit_grade = models.CharField("纳税信用等级", max_length=2, choices=CreditGrade.choices, blank=True,
                                    default="")
    figures_year = models.PositiveSmallIntegerField("经营数据年度", null=True, blank=True)
    cases_completed = models.PositiveIntegerField("办结办件数", null=True, blank=True,
                                                  help_text="该企业作为申请人已办结（准予）的办件数，来自办件库")
    sources = models.JSONField("数据来源", default=dict, blank=True,
                               help_text="{字段: {source: 来源, as_of: 日期}}")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "一企一档"
        ordering = ["party__number"]

    def __str__(self) -> str:
        return f"{self.party.name} 档案"


class EnterpriseYear(models.Model):
    """The figures of one year (the profile carries the latest year's)."""

    profile = models.ForeignKey(EnterpriseProfile, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField("年度")
    employees = models.PositiveIntegerField("从业人数", null=True, blank=True)
    insured = models.PositiveIntegerField("社保参保人数", null=True, blank=True)
    revenue = models.DecimalField("营业收入（万元）", max_digits=14, decimal_places=2, null=True, blank=True)
    tax_paid = models.DecimalField("纳税额（万元）", max_digits=14, decimal_places=2, null=True, blank=True)
    investment = models.DecimalField("固定资产投资（万元）", max_digits=14, decimal_places=2, null=True, blank=True)
    source = models.CharField("来源", max_length=64, blank=True, default="")
    as_of = models.DateField("数据日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "年度经营数据"
        ordering = ["profile_id", "-year"]
        constraints = [models.UniqueConstraint(fields=["profile", "year"], name="enterprise_year_unique")]


class QualificationKind(models.TextChoices):
    HIGH_TECH = "high_tech", "高新技术企业"
    SPECIALISED = "specialised", "专精特新中小企业"
    LITTLE_GIANT = "little_giant", "专精特新“小巨人”企业"
    TECH_SME = "tech_sme", "科技型中小企业"
    ABOVE_SCALE = "above_scale", "规模以上工业企业"


class Qualification(models.Model):
    profile = models.ForeignKey(EnterpriseProfile, on_delete=models.CASCADE, related_name="qualifications")
    kind = models.CharField("资质", max_length=16, choices=QualificationKind.choices)
    certificate = models.CharField("证书编号", max_length=64, blank=True, default="")
    recognised_on = models.DateField("认定日期")
    valid_until = models.DateField("有效期至", null=True, blank=True, help_text="空为长期有效")
    source = models.CharField("来源", max_length=64, blank=True, default="")

    class Meta:
        verbose_name = verbose_name_plural = "企业资质"
        ordering = ["profile_id", "kind", "-recognised_on"]
        constraints = [models.UniqueConstraint(fields=["profile", "kind", "recognised_on"],
                                               name="qualification_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.recognised_on}）"


class Mode(models.TextChoices):
    PROACTIVE = "proactive", "免申即享"
    QUICK = "quick", "快申快享"
    APPLY = "apply", "申报兑现"


class PolicyStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    CLOSED = "closed", "已截止"


class Policy(models.Model):
    code = models.CharField("政策编号", max_length=32, unique=True)
    name = models.CharField("政策名称", max_length=200)
    issuing_unit = models.ForeignKey("organisations.Unit", on_delete=models.PROTECT, related_name="policies",
                                     verbose_name="兑现单位")
    document = models.CharField("政策文件", max_length=200, blank=True, default="", help_text="文件名称及文号")
    legal_text = models.TextField("政策原文", blank=True, default="")
    articles = models.JSONField("条款", default=list, blank=True, help_text="[{no: 条, text: 内容}]")
    beneficiaries = models.CharField("惠及对象", max_length=200, blank=True, default="")
    starts_on = models.DateField("执行起始日期", null=True, blank=True)
    ends_on = models.DateField("执行截止日期", null=True, blank=True)
    budget = models.DecimalField("预算（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    mode = models.CharField("兑现方式", max_length=16, choices=Mode.choices, default=Mode.PROACTIVE)
    rule = models.JSONField("申报条件（规则）", default=dict, blank=True)
    amount = models.JSONField("兑现金额规则", default=dict, blank=True)
    confirm_days = models.PositiveSmallIntegerField("企业确认时限（工作日）", default=10)
    notice_days = models.PositiveSmallIntegerField("公示期（工作日）", default=5)
    review_days = models.PositiveSmallIntegerField("名单审核时限（工作日）", default=5)
    pay_days = models.PositiveSmallIntegerField("拨付时限（工作日）", default=10)
    time_limit = models.CharField("兑现时限", max_length=100, blank=True, default="")
    address = models.CharField("受理地址", max_length=200, blank=True, default="")
    phone = models.CharField("咨询电话", max_length=32, blank=True, default="")
    status = models.CharField("状态", max_length=16, choices=PolicyStatus.choices, default=PolicyStatus.DRAFT)
    published_on = models.DateField("发布日期", null=True, blank=True)
    guide_due_on = models.DateField("手册与指南发布期限", null=True, blank=True,
                                    help_text="发布后7个工作日内公布兑现工作手册和申兑指南")
    decide_days = models.PositiveSmallIntegerField("申报审核时限（工作日）", default=60,
                                                   help_text="快申快享、申报兑现：受理后作出决定的时限")
    materials = models.JSONField("申报材料", default=list, blank=True, help_text="[{name: 名称, required: 必需}]")
    implementation = models.OneToOneField("catalogue.ItemImplementation", null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="policy",
                                          verbose_name="申报事项")
    guide_published_on = models.DateField("手册与指南公布日期", null=True, blank=True)
    guide_overdue = models.BooleanField("手册与指南逾期未公布", default=False)
    tags = models.CharField("主题标签", max_length=200, blank=True, default="", help_text="政策包主题，空格分隔")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "惠企政策"
        ordering = ["-published_on", "code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class GrantStatus(models.TextChoices):
    LISTED = "listed", "拟兑现"
    NOTIFIED = "notified", "待企业确认"
    CONFIRMED = "confirmed", "企业已确认"
    IN_NOTICE = "in_notice", "公示中"
    DISPUTED = "disputed", "异议处理中"
    PAYABLE = "payable", "待拨付"
    PAID = "paid", "已拨付"
    PUBLISHED = "published", "结果已公开"
    EXCLUDED = "excluded", "已剔除"
    DECLINED = "declined", "企业放弃"
    LAPSED = "lapsed", "逾期未确认"


class Grant(models.Model):
    """One enterprise on one policy's 拟兑现名单, from the match to the published result."""

    number = models.CharField("兑现编号", max_length=40, unique=True)
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="grants", verbose_name="政策")
    enterprise = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="grants",
                                   verbose_name="企业")
    amount = models.DecimalField("拟兑现金额（元）", max_digits=14, decimal_places=2)
    basis = models.JSONField("匹配依据", default=list, blank=True, help_text="匹配时每个条件的取值与结果")
    status = models.CharField("状态", max_length=16, choices=GrantStatus.choices, default=GrantStatus.LISTED)
    version = models.PositiveIntegerField(default=1)
    listed_on = models.DateField("列入名单日期")
    deadline_from = models.DateField("期限起算日", null=True, blank=True)
    deadline_days = models.PositiveSmallIntegerField("期限（工作日）", null=True, blank=True)
    deadline = models.DateField("当前环节期限", null=True, blank=True)
    deadline_provisional = models.BooleanField("期限为暂定", default=False)
    overdue = models.BooleanField("已超期", default=False)
    bank = models.CharField("开户银行", max_length=100, blank=True, default="")
    account = models.CharField("收款账号", max_length=40, blank=True, default="")
    committed = models.BooleanField("已签署承诺", default=False)
    decline_reason = models.CharField("放弃理由", max_length=500, blank=True, default="")
    notice_from = models.DateField("公示开始", null=True, blank=True)
    objection = models.CharField("异议内容", max_length=500, blank=True, default="")
    paid_amount = models.DecimalField("拨付金额（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    paid_on = models.DateField("拨付日期", null=True, blank=True)
    voucher = models.CharField("拨付凭证号", max_length=64, blank=True, default="")
    published_on = models.DateField("结果公开日期", null=True, blank=True)
    urged = models.PositiveSmallIntegerField("督办次数", default=0)
    case_number = models.CharField("申报办件编号", max_length=40, blank=True, default="", db_index=True,
                                   help_text="快申快享、申报兑现：准予兑现的办件")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "政策兑现"
        ordering = ["policy_id", "number"]
        constraints = [models.UniqueConstraint(fields=["policy", "enterprise"], name="grant_one_per_policy")]
        indexes = [models.Index(fields=["status", "deadline"], name="grant_status_deadline_idx")]

    def __str__(self) -> str:
        return self.number


class GrantEvent(EventBase):
    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="events")

    class Meta:
        verbose_name = verbose_name_plural = "兑现记录"
        ordering = ["grant_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["grant", "seq"], name="grant_event_unique_seq")]


class PolicyMatch(models.Model):
    """政策包 / 精准推送: an enterprise was told once that it qualifies for a policy."""

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="pushes")
    enterprise = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="policy_pushes")
    pushed_at = models.DateTimeField("推送时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "政策推送"
        constraints = [models.UniqueConstraint(fields=["policy", "enterprise"], name="policy_push_once")]
