"""Reads of parties."""

from __future__ import annotations

from .models import Party


def registered_party(case_number: str) -> Party | None:
    """The party a registration case (企业设立登记) created, if any."""
    return Party.objects.filter(registered_case=case_number).first()
