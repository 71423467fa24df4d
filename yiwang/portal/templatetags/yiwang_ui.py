"""Template helpers for the shared layout (base.html)."""

from django import template
from django.urls import NoReverseMatch, reverse

from yiwang.organisations.selectors import staff_roles

register = template.Library()

# Where the staff workbench lives; the first URL name that resolves wins.
WORKBENCH_URL_NAMES = ("cases:workbench", "workbench", "cases:home")
WORKBENCH_FALLBACK = "/workbench/"


@register.simple_tag
def workbench_url(user) -> str:
    """The workbench link for a staff member; the admin for Django staff without a role; else ""."""
    if not getattr(user, "is_authenticated", False):
        return ""
    if not staff_roles(user):
        return reverse("admin:index") if user.is_staff else ""
    for name in WORKBENCH_URL_NAMES:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return WORKBENCH_FALLBACK
