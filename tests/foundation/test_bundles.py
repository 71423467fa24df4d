"""Bundle graphs: layers of every demo bundle, refused graphs, merged form and materials."""

import pytest

from yiwang.catalogue import rules, selectors, services
from yiwang.catalogue.models import Bundle, ItemImplementation
from yiwang.core.errors import DomainError

DEMO_LAYERS = [
    ("QYKB", [["QYSLDJ"], ["GZKZBA", "FPSL", "DWCBDJ", "GJJJCDJ", "YYKH"]]),
    ("KCG", [["QYSLDJ"], ["SPJYXK"]]),
    ("QYZX", [["SWZX", "SBZX"], ["QYZXDJ"]]),
    ("SDQWBZ", [["GSBZ", "GDBZ", "RQBZ", "WLBZ"]]),
    ("XMKG", [["JSGCGHXK"], ["SGTSCBA", "ZLAQJD"], ["SGXK"]]),
    ("JGJBZ", [["LHYS"], ["BDCSCDJ"]]),
    ("CSYJS", [["CSYXZM"], ["CSHKDJ", "JMYBCB", "SBKSL"]]),
]


@pytest.mark.django_db
@pytest.mark.parametrize("code,layers", DEMO_LAYERS)
def test_layers_of_every_demo_bundle(api_client, code, layers):
    view = selectors.bundle_view(selectors.bundle_get(code))
    assert [[m.implementation.item.basic_code for m in layer] for layer in view.layers] == layers
    body = api_client.get(f"/api/v1/bundles/{code}").json()
    got = {}
    for m in body["members"]:
        got.setdefault(m["layer"], []).append(m["item"])
    assert [got[i + 1] for i in range(len(layers))] == layers


@pytest.mark.django_db
def test_demo_has_exactly_these_bundles():
    # and the policies demo's 政策兑现一件事, a bundle of policy items (tests/policies)
    assert set(Bundle.objects.values_list("code", flat=True)) == {c for c, _ in DEMO_LAYERS} | {"XTX-ZCDX-KJ"}


def _merged(code: str):
    view = selectors.bundle_view(selectors.bundle_get(code))
    code_of = {m.pk: m.implementation.item.basic_code for m in view.members}
    return view, code_of


@pytest.mark.django_db
@pytest.mark.parametrize("bundle,material,producer,needed_by", [
    ("QYKB", "营业执照", "QYSLDJ", {"GZKZBA", "FPSL", "DWCBDJ", "GJJJCDJ", "YYKH"}),
    ("CSYJS", "出生医学证明", "CSYXZM", {"CSHKDJ", "JMYBCB", "SBKSL"}),
])
def test_a_material_an_earlier_member_produces_is_produced_inside(bundle, material, producer, needed_by):
    view, code_of = _merged(bundle)
    entries = [x for x in view.merged_materials if x.name == material]
    assert len(entries) == 1
    entry = entries[0]
    assert code_of[entry.produced_by] == producer
    assert entry.asked_of_applicant is False
    assert {code_of[m] for m in entry.members} == needed_by


@pytest.mark.django_db
def test_a_field_needed_by_several_members_is_listed_once_with_its_members():
    view, code_of = _merged("QYKB")
    names = [f.name for f in view.merged_form]
    assert len(names) == len(set(names))
    name_field = next(f for f in view.merged_form if f.name == "企业名称")
    assert {code_of[m] for m in name_field.members} == {"QYSLDJ", "GZKZBA", "FPSL", "DWCBDJ", "GJJJCDJ", "YYKH"}


@pytest.mark.django_db
def test_a_material_asked_of_the_applicant_stays_asked():
    view, _ = _merged("QYKB")
    charter = next(x for x in view.merged_materials if x.name == "公司章程")
    assert charter.asked_of_applicant and charter.produced_by is None


# ---------------------------------------------------------------- refused graphs


def _impls(region="430321"):
    return {i.item.basic_code: i for i in ItemImplementation.objects.filter(region_id=region).select_related("item")}


@pytest.mark.django_db
@pytest.mark.parametrize("members,code,named", [
    ([("QYSLDJ", ["FPSL"]), ("FPSL", ["GZKZBA"]), ("GZKZBA", ["QYSLDJ"])], "bad_graph", ["QYSLDJ", "FPSL", "GZKZBA"]),
    ([("QYSLDJ", ["QYSLDJ"])], "bad_graph", ["QYSLDJ"]),
    ([("QYSLDJ", []), ("FPSL", ["SGXK"])], "bad_graph", ["FPSL", "SGXK"]),
    ([("QYSLDJ", []), ("QYSLDJ", [])], "duplicate_member", ["QYSLDJ"]),
])
def test_a_bad_graph_is_refused_naming_its_members(members, code, named):
    impls = _impls()
    bundle = Bundle.objects.get(code="QYKB")
    with pytest.raises(DomainError) as err:
        services.bundle_set_members(bundle=bundle, members=[(impls[c], a) for c, a in members])
    assert err.value.code == code and err.value.field == "items"
    for name in named:
        assert name in err.value.message
    assert bundle.members.count() == 6  # unchanged


@pytest.mark.django_db
def test_a_member_from_outside_the_region_is_refused():
    bundle = Bundle.objects.get(code="QYKB")
    outsider = ItemImplementation.objects.get(impl_code="430421-SGXK")
    with pytest.raises(DomainError) as err:
        services.bundle_set_members(bundle=bundle, members=[(_impls()["QYSLDJ"], []), (outsider, [])])
    assert err.value.code == "member_outside_region"
    assert "430421-SGXK" in err.value.message


@pytest.mark.django_db
def test_moving_a_bundle_to_another_region_with_its_members_is_refused():
    bundle = Bundle.objects.get(code="KCG")
    bundle.region_id = "430421"
    with pytest.raises(DomainError) as err:
        services.bundle_save(bundle=bundle)
    assert err.value.code == "member_outside_region"


# ---------------------------------------------------------------- pure tables

GRAPHS = [
    ({"a": [], "b": ["a"], "c": ["a"], "d": ["b", "c"]}, [["a"], ["b", "c"], ["d"]]),
    ({"a": [], "b": [], "c": []}, [["a", "b", "c"]]),
    ({"c": ["b"], "b": ["a"], "a": []}, [["a"], ["b"], ["c"]]),
    ({}, []),
]


@pytest.mark.parametrize("graph,layers", GRAPHS)
def test_layers_on_a_table(graph, layers):
    assert rules.bundle_layers(graph) == layers


@pytest.mark.parametrize("graph,named", [
    ({"a": ["b"], "b": ["a"]}, ["a", "b"]),
    ({"a": [], "b": ["c"], "c": ["d"], "d": ["b"]}, ["b", "c", "d"]),
    ({"a": ["x"]}, ["a", "x"]),
    ({"a": ["a"]}, ["a"]),
])
def test_refused_graphs_name_their_members(graph, named):
    with pytest.raises(rules.BundleGraphError) as err:
        rules.bundle_layers(graph)
    assert set(named) <= set(err.value.members)
    for m in named:
        assert m in err.value.message


@pytest.mark.parametrize("graph,days,total", [
    ({"a": [], "b": ["a"], "c": ["a"]}, {"a": 1, "b": 3, "c": 2}, 4),
    ({"a": [], "b": []}, {"a": 5, "b": 2}, 5),
    ({"a": [], "b": ["a"], "c": ["b"]}, {"a": 0, "b": 0, "c": 0}, 0),
])
def test_critical_path_days(graph, days, total):
    assert rules.critical_path_days(graph, days) == total


def test_a_licence_is_produced_inside_only_when_every_member_needing_it_waits_for_its_producer():
    M = rules.MemberMaterial
    merged = rules.merge_materials(
        {"licence": [M("申请书", "applicant")], "seal": [M("营业执照", "licence")],
         "bank": [M("营业执照", "licence")]},
        {"licence": "营业执照"},
        {"licence": [], "seal": ["licence"], "bank": []},   # bank runs in parallel: it needs the copy
    )
    entry = next(x for x in merged if x.name == "营业执照")
    assert entry.members == ["seal", "bank"]
    assert entry.produced_by is None


def test_merge_form_keeps_first_seen_order_and_lists_members():
    merged = rules.merge_form({"a": ["名称", "电话"], "b": ["电话", "地址"]})
    assert [(f.name, f.members) for f in merged] == [("名称", ["a"]), ("电话", ["a", "b"]), ("地址", ["b"])]
