"""Settings of supervision, overridable by settings.YIWANG_SUPERVISION (a dict of the same keys)."""

from django.conf import settings

from .rules import DEFAULT_CREDIT_RULES

DEFAULTS = {
    "claim_days": 3,  # working days to claim a supervision task
    "result_days": 10,  # working days from the claim to the result pushed back
    "publish_days": 20,  # working days from an inspection to the publication of its result
    "commitment_bar_years": 3,  # a false commitment closes the commitment path for this many years
    "recent_inspection_days": 365,
    "repair_days": 5,  # working days to decide a credit repair application  # an inspector who inspected the target within this is excluded (回避)
}


def config() -> dict:
    return {**DEFAULTS, **getattr(settings, "YIWANG_SUPERVISION", {})}


def credit_rules() -> dict:
    return {**DEFAULT_CREDIT_RULES, **getattr(settings, "YIWANG_CREDIT_RULES", {})}
