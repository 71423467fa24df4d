from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from .models import Region, Staff, Unit


def region_subtree_codes(region_code: str) -> list[str]:
    """The region and every region below it."""
    codes, frontier = [region_code], [region_code]
    while frontier:
        frontier = list(Region.objects.filter(parent_id__in=frontier).values_list("code", flat=True))
        codes.extend(frontier)
    return codes


def staff_roles(user: AbstractBaseUser | AnonymousUser) -> list[Staff]:
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_staff_roles_cache", None)
    if cached is None:
        cached = list(Staff.objects.filter(user=user).select_related("unit", "window"))
        user._staff_roles_cache = cached
    return cached


def has_role(user, role: str, unit: Unit | None = None) -> bool:
    return any(s.role == role and (unit is None or s.unit_id == unit.pk) for s in staff_roles(user))


def units_where(user, *roles: str) -> list[int]:
    return [s.unit_id for s in staff_roles(user) if s.role in roles]
