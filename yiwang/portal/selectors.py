"""办件进度查询 without an account: a case number and a proof that the asker is the applicant.

The proof is the applicant's phone number or the last six characters of the applicant's ID number
(or credit code). What is shown is what a receipt says — item, status, dates, the steps with their
Chinese labels — never the reasons, the form or the materials (those need the applicant's login).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from yiwang.bundlecases.models import BundleCase
from yiwang.cases.models import Case

_CASE_NUMBER = re.compile(r"^[0-9A-Za-z-]{6,40}\d{12}$")  # implementation code + yyyymmdd + 4 digits


def looks_like_case_number(text: str) -> bool:
    return bool(_CASE_NUMBER.match((text or "").strip()))


def _digits(text: str) -> str:
    return "".join(ch for ch in text if "0" <= ch <= "9")


def proof_matches(party, proof: str) -> bool:
    """The phone (digits compared, separators ignored) or the ID's last six characters."""
    proof = (proof or "").strip().upper()
    if not proof:
        return False
    if len(proof) == 6 and party.number.upper().endswith(proof):
        return True
    phone = _digits(party.phone or "")
    return len(_digits(proof)) >= 7 and phone != "" and _digits(proof) == phone


@dataclass
class ProgressStep:
    label: str
    on: date


@dataclass
class Progress:
    number: str
    name: str
    status: str
    submitted_on: date
    accepted_on: date | None
    deadline: date | None
    provisional: bool
    steps: list[ProgressStep] = field(default_factory=list)
    members: list[tuple[str, str, str]] = field(default_factory=list)  # (number, item, status)
    is_bundle: bool = False


def _case_progress(case: Case) -> Progress:
    from yiwang.cases.transitions import ACTION_LABELS

    steps = [ProgressStep(ACTION_LABELS.get(e.action, e.action), e.on) for e in case.events.order_by("seq")
             if e.action != "calendar_moved"]
    return Progress(number=case.number, name=case.implementation.name, status=case.get_status_display(),
                    submitted_on=case.received_on, accepted_on=case.accepted_on, deadline=case.deadline,
                    provisional=case.deadline_provisional, steps=steps)


def _bundle_progress(bc: BundleCase) -> Progress:
    members = [(m.case.number, m.case.implementation.name, m.case.get_status_display())
               for m in bc.member_cases.select_related("case__implementation").order_by("case__submitted_at", "id")]
    return Progress(number=bc.number, name=bc.bundle.name, status=bc.get_status_display(),
                    submitted_on=bc.received_on, accepted_on=bc.accepted_on, deadline=bc.deadline,
                    provisional=bool(getattr(bc, "deadline_provisional", False)), members=members,
                    is_bundle=True)


def progress_lookup(*, number: str, proof: str) -> Progress | None:
    """The progress of a case or bundle case, or None when the number is unknown or the proof does
    not match (the same answer for both, so a number cannot be probed)."""
    number = (number or "").strip()
    case = Case.objects.select_related("applicant", "implementation").filter(number=number).first()
    if case is not None:
        return _case_progress(case) if proof_matches(case.applicant, proof) else None
    bc = BundleCase.objects.select_related("applicant", "bundle").filter(number=number).first()
    if bc is not None and proof_matches(bc.applicant, proof):
        return _bundle_progress(bc)
    return None
