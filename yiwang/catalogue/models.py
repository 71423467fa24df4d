"""The service catalogue: basic items, their implementations per region, materials, steps,
empowerments to parks, and bundles (一件事)."""

from django.core.exceptions import ValidationError
from django.db import models


class ItemType(models.TextChoices):
    """GB/T 39046—2020 表 A.1 事项类型代码."""

    ADMIN_POWER = "00", "行政权力事项"
    LICENSING = "01", "行政许可"
    PENALTY = "02", "行政处罚"
    COERCION = "03", "行政强制"
    LEVY = "04", "行政征收"
    PAYMENT = "05", "行政给付"
    INSPECTION = "06", "行政检查"
    CONFIRMATION = "07", "行政确认"
    REWARD = "08", "行政奖励"
    RULING = "09", "行政裁决"
    OTHER = "10", "其他行政权力"
    PUBLIC_SERVICE = "20", "公共服务"


class ItemMode(models.TextChoices):
    """GB/T 39046 A.6 办件类型: 1 即办件, 2 承诺件."""

    INSTANT = "instant", "即办件"
    PROMISED = "promised", "承诺件"


class Channel(models.TextChoices):
    """GB/T 39046 A.5 办理形式."""

    WINDOW = "1", "窗口办理"
    WEB = "2", "网上办理"
    MOBILE = "3", "移动端办理"
    POST = "4", "快递申请"


class MaterialSource(models.TextChoices):
    APPLICANT = "applicant", "申请人提交"
    LICENCE = "licence", "电子证照库调取"
    DATA = "data", "数据共享获取"


class OnlineDepth(models.TextChoices):
    """网上办理深度, the four levels portals use (Ⅳ级 全程网办 means no visit to the hall)."""

    PUBLIC = "1", "Ⅰ级 信息公开"
    PRECHECK = "2", "Ⅱ级 表格下载与在线预审"
    ONLINE = "3", "Ⅲ级 在线受理与办理"
    FULL = "4", "Ⅳ级 全程网办"


class ServiceItem(models.Model):
    """A basic item (基本目录): what the law defines, the same everywhere it is implemented."""

    basic_code = models.CharField("基本编码", max_length=32, unique=True)
    name = models.CharField("事项名称", max_length=200)
    type_code = models.CharField("事项类型", max_length=2, choices=ItemType.choices)
    basis = models.TextField("设定依据", blank=True, default="")
    mode = models.CharField("办件类型", max_length=16, choices=ItemMode.choices, default=ItemMode.PROMISED)
    statutory_days = models.PositiveIntegerField("法定办结时限（工作日）", default=20)
    promised_days = models.PositiveIntegerField("承诺办结时限（工作日）", default=20)
    conditions = models.TextField("受理条件", blank=True, default="")
    fee = models.DecimalField("收费标准（元）", max_digits=10, decimal_places=2, default=0)
    fee_basis = models.CharField("收费依据", max_length=200, blank=True, default="")
    channels = models.JSONField("办理形式", default=list, blank=True, help_text="GB/T 39046 A.5 代码列表")
    commitment_allowed = models.BooleanField("适用告知承诺", default=False)
    post_check_days = models.PositiveIntegerField("承诺事后核查期限（工作日）", default=20)
    deemed_approval_allowed = models.BooleanField("适用超时默认", default=False)
    tolerance_days = models.PositiveIntegerField("容缺材料补交期限（工作日）", default=5)
    deemed_consent_days = models.PositiveIntegerField("联合审查默认同意时限（工作日）", null=True, blank=True)
    special_procedure = models.JSONField("特别程序", default=dict, blank=True)
    result_licence = models.CharField("结果证照", max_length=64, blank=True, default="")
    # 设立登记: the result creates a party (the new enterprise), which holds the licence and in whose
    # name a bundle's later members are filed (parties.services.party_register_for_case).
    creates_party = models.BooleanField("结果产生新主体", default=False)
    supervising_unit = models.ForeignKey(
        "organisations.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="监管部门",
    )
    form_fields = models.JSONField("表单字段", default=list, blank=True)
    visits = models.PositiveSmallIntegerField("到办事现场次数", default=1, help_text="0 表示全程网办、不跑现场")
    online_depth = models.CharField("网上办理深度", max_length=1, choices=OnlineDepth.choices,
                                    default=OnlineDepth.ONLINE)
    service_object = models.CharField(
        "服务对象", max_length=16, default="enterprise", choices=[("person", "自然人"), ("enterprise", "法人")]
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "基本事项"
        ordering = ["basic_code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.basic_code}）"

    def clean(self):
        errors = {}
        if self.promised_days > self.statutory_days:
            errors["promised_days"] = "承诺办结时限不能超过法定办结时限"
        if self.mode == ItemMode.INSTANT and self.promised_days != 0:
            errors["promised_days"] = "即办件的承诺办结时限应为0"
        from .rules import guide_depth_problem

        problem = guide_depth_problem(online_depth=self.online_depth, visits=self.visits)
        if problem:
            errors["visits"] = problem
        if errors:
            raise ValidationError(errors)

    @property
    def is_instant(self) -> bool:
        return self.mode == ItemMode.INSTANT


class Step(models.Model):
    """A handling step (办理环节); at most three per item."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField("顺序")
    name = models.CharField("环节名称", max_length=32)

    class Meta:
        verbose_name = verbose_name_plural = "办理环节"
        ordering = ["item_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["item", "order"], name="step_unique_order"),
            models.CheckConstraint(condition=models.Q(order__gte=1, order__lte=3), name="step_at_most_three"),
        ]

    def __str__(self) -> str:
        return self.name


class Material(models.Model):
    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="materials")
    order = models.PositiveSmallIntegerField("顺序", default=0)
    name = models.CharField("材料名称", max_length=128)
    source = models.CharField("来源", max_length=16, choices=MaterialSource.choices, default=MaterialSource.APPLICANT)
    required = models.BooleanField("必需", default=True)
    tolerable = models.BooleanField("可容缺", default=False)
    originals = models.PositiveSmallIntegerField("原件份数", default=0)
    copies = models.PositiveSmallIntegerField("复印件份数", default=1)
    note = models.CharField("说明", max_length=200, blank=True, default="")

    class Meta:
        verbose_name = verbose_name_plural = "申请材料"
        ordering = ["item_id", "order", "id"]

    def __str__(self) -> str:
        return self.name


class Faq(models.Model):
    """常见问题 of an item's guide."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="faqs")
    order = models.PositiveSmallIntegerField("顺序", default=0)
    question = models.CharField("问题", max_length=200)
    answer = models.TextField("解答")

    class Meta:
        verbose_name = verbose_name_plural = "常见问题"
        ordering = ["item_id", "order", "id"]

    def __str__(self) -> str:
        return self.question


class FormKind(models.TextChoices):
    BLANK = "blank", "空白表格"
    SAMPLE = "sample", "示范文本"


class GuideForm(models.Model):
    """A form the guide offers for download: the blank table and a filled-in sample (样表)."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="guide_forms")
    kind = models.CharField("类型", max_length=8, choices=FormKind.choices, default=FormKind.BLANK)
    name = models.CharField("表格名称", max_length=128)
    file = models.FileField("文件", upload_to="catalogue/forms/")
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "表格下载"
        ordering = ["item_id", "order", "kind", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"


class ItemImplementation(models.Model):
    """An item as implemented in one region (实施清单), by one department: "<region>-<code>"."""

    impl_code = models.CharField("实施编码", max_length=64, unique=True)
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="implementations")
    region = models.ForeignKey("organisations.Region", on_delete=models.PROTECT, related_name="implementations")
    department = models.ForeignKey(
        "organisations.Unit", on_delete=models.PROTECT, related_name="implementations", verbose_name="实施主体"
    )
    # Name, basis and type as published at this level — the consistency check compares them.
    name = models.CharField("事项名称", max_length=200)
    basis = models.TextField("设定依据", blank=True, default="")
    type_code = models.CharField("事项类型", max_length=2, choices=ItemType.choices)
    location = models.CharField("办理地点", max_length=200, blank=True, default="")
    phone = models.CharField("咨询电话", max_length=32, blank=True, default="")
    complaint_phone = models.CharField("监督投诉电话", max_length=32, blank=True, default="")
    hours = models.CharField("办理时间", max_length=100, blank=True, default="工作日 上午9:00-12:00，下午13:30-17:00")
    co_reviewers = models.ManyToManyField(
        "organisations.Unit", blank=True, related_name="co_reviewed_implementations", verbose_name="联合审查单位"
    )
    search_text = models.TextField(blank=True, default="", editable=False)
    active = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "实施清单"
        ordering = ["region_id", "item__basic_code"]
        constraints = [models.UniqueConstraint(fields=["item", "region"], name="impl_unique_item_region")]

    def __str__(self) -> str:
        return f"{self.name}（{self.impl_code}）"


class EmpowermentMode(models.TextChoices):
    DIRECT = "DIRECT", "直接赋权"
    ENTRUSTED = "ENTRUSTED", "委托行使"
    FORWARD = "FORWARD", "服务前移"
    DIRECT_REPORT = "DIRECT_REPORT", "审批直报"


class Empowerment(models.Model):
    implementation = models.ForeignKey(ItemImplementation, on_delete=models.PROTECT, related_name="empowerments")
    # A park, a town (乡镇) or a village/community service point (村/社区代办点): the field keeps its name.
    park = models.ForeignKey(
        "organisations.Unit", on_delete=models.PROTECT, related_name="empowerments", verbose_name="承接单位",
        limit_choices_to={"kind__in": ["park", "town", "community"]},
    )
    mode = models.CharField("赋权方式", max_length=16, choices=EmpowermentMode.choices)
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField("终止日期", null=True, blank=True, help_text="收回赋权的日期（不含）")
    approving_unit = models.ForeignKey(
        "organisations.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="审批直报的审批层级", help_text="仅审批直报：由哪一级单位决定；空则为事项实施部门",
    )
    document = models.CharField("赋权文件", max_length=200, blank=True, default="")

    class Meta:
        verbose_name = verbose_name_plural = "赋权（园区、乡镇、村社区）"
        ordering = ["implementation_id", "park_id", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["implementation", "park", "effective_from"], name="empowerment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.implementation.impl_code} → {self.park.code} {self.get_mode_display()}"


class RemoteIntakeListing(models.Model):
    """跨域通办清单: an item of one region that the windows of another region may take in (收受分离,
    异地可办). The item's own region keeps the row: it accepts, decides and answers for the case."""

    implementation = models.ForeignKey(ItemImplementation, on_delete=models.PROTECT, related_name="remote_listings",
                                       verbose_name="事项（办理地实施清单）")
    receiving_region = models.ForeignKey("organisations.Region", on_delete=models.PROTECT, related_name="+",
                                         verbose_name="收件地区")
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField("终止日期", null=True, blank=True, help_text="停止异地收件的日期（不含）")
    document = models.CharField("依据文件", max_length=200, blank=True, default="")

    class Meta:
        verbose_name = verbose_name_plural = "跨域通办清单"
        ordering = ["implementation_id", "receiving_region_id", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["implementation", "receiving_region", "effective_from"],
                                               name="remote_listing_unique")]

    def __str__(self) -> str:
        return f"{self.receiving_region_id} 收件 → {self.implementation.impl_code}"

    def clean(self):
        errors = {}
        if self.implementation_id and self.receiving_region_id == self.implementation.region_id:
            errors["receiving_region"] = "收件地区应为事项所属地区以外的地区"
        if self.effective_to and self.effective_from and self.effective_to <= self.effective_from:
            errors["effective_to"] = "终止日期应晚于生效日期"
        if errors:
            raise ValidationError(errors)


class BundleTheme(models.TextChoices):
    PERSON = "person", "个人全周期"
    ENTERPRISE = "enterprise", "企业全周期"
    PROJECT = "project", "项目全周期"


class Bundle(models.Model):
    code = models.CharField("编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    theme = models.CharField("主题", max_length=16, choices=BundleTheme.choices)
    region = models.ForeignKey("organisations.Region", on_delete=models.PROTECT, related_name="bundles")
    promised_days = models.PositiveIntegerField("承诺办结时限（工作日）")
    description = models.TextField("说明", blank=True, default="")
    search_text = models.TextField(blank=True, default="", editable=False)
    active = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "一件事"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class BundleMember(models.Model):
    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="members")
    implementation = models.ForeignKey(ItemImplementation, on_delete=models.PROTECT, related_name="bundle_members")
    order = models.PositiveSmallIntegerField("顺序", default=0)
    after = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="before",
                                   verbose_name="需等待")

    class Meta:
        verbose_name = verbose_name_plural = "一件事成员"
        ordering = ["bundle_id", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["bundle", "implementation"], name="bundle_member_unique")]

    def __str__(self) -> str:
        return f"{self.bundle.code}/{self.implementation.item.basic_code}"
