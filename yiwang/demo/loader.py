"""Load the demo data set (demo_catalogue.yaml): regions, units, windows, items, implementations,
empowerments, bundles, parties and one staff account per role. Loading twice changes nothing."""

import importlib
import zlib
from datetime import date
from pathlib import Path

import yaml
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from stdnum.cn import uscc as stdnum_uscc

from yiwang.catalogue.models import (
    Bundle,
    BundleMember,
    Empowerment,
    ItemImplementation,
    Material,
    RemoteIntakeListing,
    ServiceItem,
    Step,
)
from yiwang.catalogue.services import (
    bundle_refresh_search,
    bundle_set_members,
    default_steps,
    implementation_refresh_search,
    item_validate,
)
from yiwang.organisations.models import Region, Role, Staff, Unit, Window
from yiwang.parties.models import Party
from yiwang.parties.services import party_number_require
from yiwang.workcalendar.services import calendar_seed_from_package

DEMO_FILE = Path(__file__).with_name("demo_catalogue.yaml")
DEMO_PASSWORD = "Demo@2026"

# (username, unit, role, window, description) — one account per role, and the units the demo bundles need.
DEMO_STAFF = [
    ("clerk", "XTX-ZWZX", Role.WINDOW_CLERK, "XTX-W01", "综合窗口受理员（湘潭县政务服务中心 1号窗）"),
    ("bundleclerk", "XTX-ZWZX", Role.WINDOW_CLERK, "XTX-W05", "一件事专窗受理员"),
    ("townclerk", "XTX-YSH", Role.WINDOW_CLERK, "XTX-YSH-W01", "乡镇窗口受理员（易俗河镇便民服务中心）"),
    ("communityclerk", "XTX-YSH-SQ01", Role.WINDOW_CLERK, "XTX-YSH-SQ01-W01", "社区代办员（易俗河镇示范社区代办点）"),
    ("approver", "XTX-SCJG", Role.APPROVER, None, "审批人员（湘潭县市场监督管理局）"),
    ("head", "XTX-SCJG", Role.DEPARTMENT_HEAD, None, "部门负责人（湘潭县市场监督管理局）"),
    ("catadmin", "XTX-SPJ", Role.CATALOGUE_ADMIN, None, "事项目录管理员（湘潭县行政审批服务局）"),
    ("operator", "XTX-12345", Role.HOTLINE_OPERATOR, None, "12345 热线话务员"),
    ("supervisor", "XTX-SPJ", Role.SUPERVISOR, None, "督查人员（湘潭县行政审批服务局）"),
    ("leader", "XTX-SPJ", Role.LEADER, None, "县领导（看板）"),
    ("secadmin", "XTX-SPJ", Role.SECURITY_ADMIN, None, "安全管理员（账号与锁定）"),
    ("auditor", "XTX-SPJ", Role.AUDITOR, None, "安全审计员（审计日志）"),
    ("agent", "TYJK", Role.AGENT, None, "帮代办专员（天易经开区帮代办服务队）"),
]
DEMO_APPLICANTS = [
    ("zhang", "430321198506120013", "个人申请人 张示范"),
    ("xtkj", "91430321MA4L16JQ95", "企业申请人 湘潭示范科技有限公司"),
    ("xtcy", "91430321MA4T8K2P6K", "企业申请人 湘潭示范餐饮有限公司"),
]


def unit_uscc(code: str, region: str) -> str:
    """A stable, check-digit-valid USCC for a demo unit (机构编制 · 机关 · region · org code)."""
    body = f"{zlib.crc32(code.encode()) % 10**8:08d}"
    weights = [3, 7, 9, 10, 5, 8, 4, 2]
    c = 11 - sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11
    org = body + {10: "X", 11: "0"}.get(c, str(c))
    first17 = f"11{region}{org}"
    return first17 + stdnum_uscc.calc_check_digit(first17)


def load_demo(path: Path = DEMO_FILE, *, with_accounts: bool = True, with_history: bool = False) -> dict:
    """with_history: also months of cases, ratings, requests and ledger reports made through the services
    (what `manage.py load_demo` loads for the dashboards; the test session starts without them)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    with transaction.atomic():
        calendar_seed_from_package()
        counts = {
            "regions": _regions(data["regions"]),
            "units": _units(data["units"]),
            "windows": _windows(data["windows"]),
        }
        items = _items(data["items"])
        counts["items"] = len(items)
        counts["implementations"] = _implementations(data["implementations"], data["items"], items)
        counts["empowerments"] = _empowerments(data["empowerments"])
        counts["remote_intake"] = _remote_intake(data.get("remote_intake", []))
        counts["bundles"] = _bundles(data["bundles"])
        counts["parties"] = _parties(data["parties"])
        if with_accounts:
            counts["accounts"] = _accounts()
        counts["hotline"] = importlib.import_module("yiwang.demo.hotline_demo").load_hotline_demo()
        counts["supervision"] = with_accounts and importlib.import_module("yiwang.supervision.demo").load_supervision_demo()
        if with_accounts:
            counts["ledger"] = importlib.import_module("yiwang.ledger.demo").load_ledger_demo(
                with_history=with_history)
        if with_history and with_accounts:
            counts["dashboards"] = importlib.import_module("yiwang.dashboards.demo").load_dashboard_demo()
            counts["bulletins"] = _bulletin_editions()
        # Cases made as of past days carry the near/overdue tag of their day; bring them to today, as the
        # worker's daily sweep would (idempotent: a second load changes nothing).
        from yiwang.cases.services import cases_due_sweep

        counts["due_sweep"] = cases_due_sweep()
        counts["policies"] = importlib.import_module("yiwang.policies.demo").load_policies_demo()
        if with_accounts:
            counts["agents"] = importlib.import_module("yiwang.agents.demo").load_agents_demo()
        counts["projects"] = with_accounts and importlib.import_module("yiwang.projects.demo").load_projects_demo(
            with_history=with_history)
    return counts


def _bulletin_editions() -> int:
    """The 12345 简报 of the day, week and month that ended last, as the worker would have issued them
    (an edition is made once: loading twice adds none)."""
    from django.utils import timezone

    from yiwang.hotline.editions import editions_issue, last_periods

    return sum(editions_issue(period=p) for p in last_periods(timezone.localdate()))


def _upsert(model, defaults: dict, **lookup):
    """update_or_create that writes only when something differs: loading twice changes nothing
    (no saves, so no auto_now timestamps move and no post_save signals fire)."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **defaults), True
    changed = [k for k, v in defaults.items() if getattr(obj, k) != v]
    if changed:
        for k in changed:
            setattr(obj, k, defaults[k])
        obj.save()
    return obj, False


def _regions(rows) -> int:
    for r in rows:  # parents come first in the file
        _upsert(Region, code=r["code"], defaults={"name": r["name"], "parent_id": r.get("parent")})
    return len(rows)


def _units(rows) -> int:
    for u in rows:
        _upsert(
            Unit,
            code=u["code"],
            defaults={"name": u["name"], "kind": u["kind"], "region_id": u["region"],
                      "uscc": unit_uscc(u["code"], u["region"])},
        )
    return len(rows)


def _windows(rows) -> int:
    for w in rows:
        _upsert(
            Window,
            code=w["code"], defaults={"name": w["name"], "kind": w["kind"], "unit": Unit.objects.get(code=w["unit"])}
        )
    return len(rows)


def _items(rows) -> dict[str, ServiceItem]:
    items = {}
    for row in rows:
        mode = row.get("mode", "promised")
        defaults = {
            "name": row["name"],
            "type_code": row["type"],
            "basis": row.get("basis", ""),
            "mode": mode,
            "statutory_days": row["statutory_days"],
            "promised_days": row["promised_days"],
            "commitment_allowed": bool(row.get("commitment", False)),
            "deemed_approval_allowed": bool(row.get("deemed_approval", False)),
            "deemed_consent_days": row.get("deemed_consent_days"),
            "special_procedure": row.get("special_procedure") or {},
            "result_licence": row.get("result_licence", ""),
            "creates_party": bool(row.get("creates_party", False)),
            "form_fields": row.get("form_fields", []),
            "channels": ["1", "2", "3"],
            "conditions": row.get("conditions", f"申请人符合《{row['name']}》办理条件，申请材料齐全、符合法定形式。"),
            "service_object": "person" if row["code"] in PERSON_ITEMS else "enterprise",
            "visits": row.get("visits", 1),
            "online_depth": str(row.get("online_depth", "3")),
        }
        item = ServiceItem(basic_code=row["code"], **defaults)
        steps = row.get("steps") or default_steps(item)
        item_validate(item=item, steps=steps)
        item, _ = _upsert(ServiceItem, basic_code=row["code"], defaults=defaults)
        # Supervising unit: the item's own department unless the file says otherwise.
        sup = Unit.objects.get(code=row.get("supervising_unit", row["department"]))
        if item.supervising_unit_id != sup.pk:
            ServiceItem.objects.filter(pk=item.pk).update(supervising_unit=sup)
        _replace_children(item, steps, row.get("materials", []))
        _guide_extras(item, row)
        items[row["code"]] = item
    return items


def _guide_extras(item: ServiceItem, row: dict) -> None:
    """常见问题 and the downloadable forms: a blank and a filled-in sample PDF made here from the item's
    form fields (nothing downloaded). Replaced only when they differ, so a second load writes nothing."""
    from yiwang.catalogue.services import guide_extras_replace
    from yiwang.portal.pdf import form_pdf

    faqs = [(f["q"], f["a"]) for f in row.get("faqs", [])]
    forms = []
    for f in row.get("forms", []):
        fields = item.form_fields or list(f.get("sample", {}))
        forms.append((f["name"], "blank", form_pdf(f["name"], item.name, fields, {})))
        forms.append((f["name"] + "（示范文本）", "sample", form_pdf(f["name"], item.name, fields, f.get("sample", {}))))
    guide_extras_replace(item=item, faqs=faqs, forms=forms)


PERSON_ITEMS = {"CSYXZM", "CSHKDJ", "JMYBCB", "SBKSL"}


def _replace_children(item: ServiceItem, steps: list[str], materials: list[dict]) -> None:
    wanted_steps = [(i, name) for i, name in enumerate(steps, start=1)]
    if list(item.steps.values_list("order", "name")) != wanted_steps:
        item.steps.all().delete()
        Step.objects.bulk_create([Step(item=item, order=i, name=n) for i, n in wanted_steps])
    wanted = [
        (i, m["name"], m.get("source", "applicant"), bool(m.get("required", True)), bool(m.get("tolerable", False)))
        for i, m in enumerate(materials, start=1)
    ]
    have = list(item.materials.order_by("order").values_list("order", "name", "source", "required", "tolerable"))
    if have != wanted:
        item.materials.all().delete()
        Material.objects.bulk_create(
            [Material(item=item, order=i, name=n, source=s, required=r, tolerable=t) for i, n, s, r, t in wanted]
        )


def _implementations(spec, item_rows, items) -> int:
    dept_of = {row["code"]: row["department"] for row in item_rows}
    count = 0
    for region, entries in spec.items():
        pairs = entries.items() if isinstance(entries, dict) else [(code, dept_of[code]) for code in entries]
        for code, dept in pairs:
            item = items[code]
            unit = Unit.objects.get(code=dept)
            impl, _ = _upsert(
                ItemImplementation,
                impl_code=f"{region}-{code}",
                defaults={
                    "item": item, "region_id": region, "department": unit, "name": item.name,
                    "basis": item.basis, "type_code": item.type_code,
                    "location": f"{unit.name}（{Region.objects.get(code=region).name}政务服务中心窗口）",
                    "phone": "0731-12345" if region.startswith("4303") else "12345",
                },
            )
            co = [r for r in next(x for x in item_rows if x["code"] == code).get("co_reviewers", [])]
            co_units = [u for u in Unit.objects.filter(code__in=co, region_id=region)]
            if co_units or impl.co_reviewers.exists():
                impl.co_reviewers.set(co_units)
            implementation_refresh_search(impl)
            count += 1
    return count


def _empowerments(rows) -> int:
    for e in rows:
        impl = ItemImplementation.objects.get(impl_code=e["item"])
        _upsert(
            Empowerment,
            implementation=impl,
            park=Unit.objects.get(code=e["park"]),
            effective_from=date.fromisoformat(str(e["from"])),
            defaults={"mode": e["mode"]},
        )
    return len(rows)


def _remote_intake(rows) -> int:
    """The 跨域通办清单 rows."""
    for r in rows:
        _upsert(RemoteIntakeListing, implementation=ItemImplementation.objects.get(impl_code=r["item"]),
                receiving_region_id=r["receiving_region"], effective_from=date.fromisoformat(str(r["from"])),
                defaults={"document": r.get("document", "")})
    return len(rows)


def _bundles(rows) -> int:
    for b in rows:
        bundle, _ = _upsert(
            Bundle,
            code=b["code"],
            defaults={"name": b["name"], "theme": b["theme"], "region_id": b["region"],
                      "promised_days": b["promised_days"]},
        )
        wanted = [(f"{b['region']}-{m['item']}", sorted(m.get("after", []))) for m in b["items"]]
        have = [
            (m.implementation.impl_code, sorted(a.implementation.item.basic_code for a in m.after.all()))
            for m in BundleMember.objects.filter(bundle=bundle).order_by("order", "id")
            .select_related("implementation").prefetch_related("after__implementation__item")
        ]
        if have != wanted:
            bundle_set_members(
                bundle=bundle,
                members=[(ItemImplementation.objects.select_related("item").get(impl_code=c), a) for c, a in wanted],
            )
        else:
            bundle_refresh_search(bundle)
    return len(rows)


def _parties(spec) -> int:
    count = 0
    for e in spec.get("enterprises", []):
        number = party_number_require(kind="enterprise", number=e["uscc"], field="uscc")
        park = Unit.objects.get(code=e["park"]) if e.get("park") else None
        _upsert(
            Party,
            number=number,
            defaults={"kind": "enterprise", "name": e["name"], "region_id": e["region"], "park": park,
                      "legal_representative": e.get("legal_representative", "张示范")},
        )
        count += 1
    for p in spec.get("persons", []):
        number = party_number_require(kind="person", number=p["id_number"], field="id_number")
        _upsert(Party, number=number, defaults={"kind": "person", "name": p["name"],
                                                                 "region_id": p["region"]})
        count += 1
    return count


def _account(username: str, *, is_staff: bool = False, is_superuser: bool = False, first_name: str = ""):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username, defaults={"is_staff": is_staff, "is_superuser": is_superuser, "first_name": first_name}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


CATALOGUE_ADMIN_GROUP = "事项目录管理员"
# What a catalogue admin keeps in the admin: (app label, model names).
CATALOGUE_ADMIN_MODELS = [
    ("catalogue", ["serviceitem", "step", "material", "itemimplementation", "empowerment", "bundle", "bundlemember",
                   "remoteintakelisting"]),
    ("workcalendar", ["calendaryear", "calendarday"]),
]


def catalogue_admin_group() -> Group:
    """The group with the model permissions of the catalogue and the calendar (created or completed)."""
    group, _ = Group.objects.get_or_create(name=CATALOGUE_ADMIN_GROUP)
    query = Q(pk__in=[])
    for app, models in CATALOGUE_ADMIN_MODELS:
        query |= Q(content_type__app_label=app, content_type__model__in=models)
    wanted = set(Permission.objects.filter(query).values_list("pk", flat=True))
    if set(group.permissions.values_list("pk", flat=True)) != wanted:
        group.permissions.set(wanted)
    return group


def _accounts() -> int:
    n = 0
    _account("admin", is_staff=True, is_superuser=True, first_name="系统管理员")
    group = catalogue_admin_group()
    for username, unit_code, role, window_code, desc in DEMO_STAFF:
        user = _account(username, is_staff=role == Role.CATALOGUE_ADMIN, first_name=desc.split("（")[0])
        unit = Unit.objects.get(code=unit_code)
        window = Window.objects.get(code=window_code) if window_code else None
        _upsert(Staff, user=user, unit=unit, role=role, defaults={"window": window})
        if role == Role.CATALOGUE_ADMIN and not user.groups.filter(pk=group.pk).exists():
            user.groups.add(group)
        n += 1
    # Every unit that handles items gets an approver-and-head account named after its code,
    # so that each demo bundle can run end to end in the workbench.
    for unit in Unit.objects.exclude(kind__in=["center", "hotline"]):
        user = _account(unit.code.lower(), first_name=unit.name)
        for role in (Role.APPROVER, Role.DEPARTMENT_HEAD):
            Staff.objects.get_or_create(user=user, unit=unit, role=role)
        n += 1
    for username, number, desc in DEMO_APPLICANTS:
        user = _account(username, first_name=desc.split(" ")[-1])
        Party.objects.filter(number=number, user__isnull=True).update(user=user)
        n += 1
    return n


def demo_logins() -> list[tuple[str, str, str]]:
    rows = [("admin", DEMO_PASSWORD, "系统管理员（/admin/）")]
    rows += [(u, DEMO_PASSWORD, d) for u, _, _, _, d in DEMO_STAFF]
    rows += [("<单位代码小写>，如 xtx-ga", DEMO_PASSWORD, "各单位审批人员兼负责人")]
    rows += [(u, DEMO_PASSWORD, d) for u, _, d in DEMO_APPLICANTS]
    return rows
