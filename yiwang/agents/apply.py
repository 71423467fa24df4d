"""The agent files for a party (代办申请): pick a party it acts for, an item in scope, fill in the
item's form. The case engine checks the authorisation again (cases.services._intake_check); the
materials are then uploaded on the case's page, as the applicant would."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from yiwang.catalogue.models import ItemImplementation
from yiwang.core.errors import DomainError

from . import rules, selectors


def _implementations(entry: dict | None) -> list[ItemImplementation]:
    """The party's region's implementations whose item one of its authorisations covers."""
    if entry is None:
        return []
    party, auths = entry["party"], entry["authorisations"]
    qs = ItemImplementation.objects.select_related("item").filter(region_id=party.region_id).order_by("impl_code")
    return [i for i in qs if any(rules.covers(a, i.item.basic_code) for a in auths)]


@login_required
def apply(request):
    from yiwang.cases.services import case_submit

    entries = selectors.authorised_parties(request.user)
    data = request.POST if request.method == "POST" else request.GET
    entry = next((e for e in entries if e["party"].number == data.get("party")), entries[0] if entries else None)
    impls = _implementations(entry)
    impl = next((i for i in impls if i.impl_code == data.get("item")), None)
    fields = list(impl.item.form_fields or []) if impl else []
    values = {name: request.POST.get(f"f_{i}", "") for i, name in enumerate(fields)}
    errors: dict[str, str] = {}
    if request.method == "POST" and entry is not None and impl is not None:
        try:
            case = case_submit(actor=request.user, item=impl.impl_code, applicant=entry["party"], form=values,
                               channel="agent", agent_authorisation=request.POST.get("authorisation", ""))
            messages.success(request, f"已代为申请，办件编号 {case.number}。请在办件页上传申请材料。")
            return redirect("cases:my_case", number=case.number)
        except DomainError as exc:
            errors[exc.field or "form"] = exc.message
    return render(request, "agents/apply.html", {
        "entries": entries, "entry": entry, "impls": impls, "impl": impl, "errors": errors,
        "fields": [{"key": f"f_{i}", "name": name, "value": values.get(name, ""),
                    "error": errors.pop(f"form.{name}", "")} for i, name in enumerate(fields)]})
