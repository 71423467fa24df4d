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


def is_staff_member(user) -> bool:
    """Staff of some unit, or a Django staff account: not an applicant."""
    return bool(getattr(user, "is_authenticated", False)) and (user.is_staff or bool(staff_roles(user)))


def has_role(user, role: str, unit: Unit | None = None) -> bool:
    return any(s.role == role and (unit is None or s.unit_id == unit.pk) for s in staff_roles(user))


def units_where(user, *roles: str) -> list[int]:
    return [s.unit_id for s in staff_roles(user) if s.role in roles]


def catalogue_admin_regions(user) -> list[str] | None:
    """The region codes a catalogue admin may edit (their units' regions and below); None for a
    superuser (everything); [] for anyone else."""
    if user.is_authenticated and user.is_superuser:
        return None
    from .models import Role

    codes: list[str] = []
    for s in staff_roles(user):
        if s.role == Role.CATALOGUE_ADMIN:
            codes.extend(c for c in region_subtree_codes(s.unit.region_id) if c not in codes)
    return codes
