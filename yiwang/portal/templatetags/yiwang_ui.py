"""Template helpers for the shared layout (base.html)."""

from django import template
from django.urls import NoReverseMatch, reverse

from yiwang.organisations.models import Role
from yiwang.organisations.selectors import is_staff_member, staff_roles

register = template.Library()

# Each role's workbench: the first URL name that resolves wins (modules mount their pages as they land).
CASES = "cases:workbench"
WORKBENCH_BY_ROLE: dict[str, tuple[str, ...]] = {
    Role.WINDOW_CLERK: (CASES,),
    Role.APPROVER: (CASES,),
    Role.DEPARTMENT_HEAD: (CASES,),
    Role.HOTLINE_OPERATOR: ("hotline:console", CASES),
    Role.SUPERVISOR: ("supervision:home", "hotline:supervise", CASES),
    Role.LEADER: ("dashboards:home", CASES),
    Role.CATALOGUE_ADMIN: ("admin:index",),
    Role.AUDITOR: ("audit",),
    Role.SECURITY_ADMIN: ("audit",),
    Role.AGENT: ("agents:workbench", CASES),
}
WORKBENCH_FALLBACK = "/workbench/"


def _first_url(names: tuple[str, ...]) -> str | None:
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


@register.simple_tag
def workbench_url(user) -> str:
    """The workbench link for a staff member (by their first role); the admin for Django staff
    without a role; "" for applicants and the public."""
    if not getattr(user, "is_authenticated", False):
        return ""
    roles = staff_roles(user)
    if not roles:
        return reverse("admin:index") if user.is_staff else ""
    return _first_url(WORKBENCH_BY_ROLE.get(roles[0].role, (CASES,))) or WORKBENCH_FALLBACK


def landing_url(user) -> str:
    """Where a user lands after login: staff on their workbench, applicants on their cases."""
    return workbench_url(user) or reverse("cases:my_cases")


@register.simple_tag
def is_applicant(user) -> bool:
    """Signed in without a staff role: the personal centre (我的办件, 我的证照 …) is theirs."""
    return bool(getattr(user, "is_authenticated", False)) and not is_staff_member(user)
