"""Regions (GB/T 2260), organisation units on them, windows, and staff with their roles."""

from django.conf import settings
from django.db import models


class Region(models.Model):
    """An administrative division. The code is the 6-digit GB/T 2260 code."""

    code = models.CharField("行政区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=64)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        verbose_name = verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def level(self) -> int:
        """GB/T 39046 A.2 exercise level: 2 province, 3 city, 4 county."""
        if self.code.endswith("0000"):
            return 2
        if self.code.endswith("00"):
            return 3
        return 4

    def ancestors(self) -> list["Region"]:
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain


class UnitKind(models.TextChoices):
    BUREAU = "bureau", "行政审批服务局"
    DEPARTMENT = "department", "部门"
    PARK = "park", "园区"
    CENTER = "center", "政务服务中心"
    HOTLINE = "hotline", "12345热线"
    UTILITY = "utility", "公用企业"
    TOWN = "town", "乡镇（街道）"
    COMMUNITY = "community", "村（社区）代办点"


class Unit(models.Model):
    code = models.CharField("单位代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=128)
    kind = models.CharField("类型", max_length=16, choices=UnitKind.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="units", verbose_name="行政区划")
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True, default="")
    phone = models.CharField("咨询电话", max_length=32, blank=True, default="")
    address = models.CharField("地址", max_length=200, blank=True, default="")

    class Meta:
        verbose_name = verbose_name_plural = "组织机构"
        ordering = ["region_id", "code"]

    def __str__(self) -> str:
        return self.name


class WindowKind(models.TextChoices):
    COMPREHENSIVE = "comprehensive", "综合受理窗口"
    BUNDLE = "bundle", "一件事专窗"
    AGENT = "agent", "帮代办窗口"
    ESCALATION = "escalation", "办不成事反映窗口"


class Window(models.Model):
    code = models.CharField("窗口编号", max_length=32, unique=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="windows", verbose_name="所属单位")
    name = models.CharField("名称", max_length=64)
    kind = models.CharField("类型", max_length=16, choices=WindowKind.choices)

    class Meta:
        verbose_name = verbose_name_plural = "窗口"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    WINDOW_CLERK = "window_clerk", "综合窗口受理员"
    APPROVER = "approver", "审批人员"
    DEPARTMENT_HEAD = "department_head", "部门负责人"
    CATALOGUE_ADMIN = "catalogue_admin", "事项目录管理员"
    HOTLINE_OPERATOR = "hotline_operator", "热线话务员"
    SUPERVISOR = "supervisor", "督查人员"
    LEADER = "leader", "领导"
    # 三权分立 (等保 2.0): the system administrator (Django superuser) keeps the system, the security
    # administrator keeps accounts and lockouts, the auditor reads the audit log — three people.
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDITOR = "auditor", "安全审计员"
    AGENT = "agent", "帮代办专员"  # a member of its unit's 帮代办 team (yiwang.agents)


class Staff(models.Model):
    """One role of one user in one unit. A user may hold several (approver and head, say)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_roles")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="staff", verbose_name="单位")
    role = models.CharField("角色", max_length=32, choices=Role.choices)
    window = models.ForeignKey(Window, null=True, blank=True, on_delete=models.SET_NULL, verbose_name="窗口")

    class Meta:
        verbose_name = verbose_name_plural = "工作人员角色"
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="staff_unique_role")]

    def __str__(self) -> str:
        return f"{self.user.get_username()} · {self.unit} · {self.get_role_display()}"
