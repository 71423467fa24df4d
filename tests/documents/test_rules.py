"""The documents' plain rules, table-driven: short unit names, numbers, the legal remedy, masking."""

import pytest

from yiwang.documents import rules
from yiwang.documents.models import DocumentKind as K


@pytest.mark.parametrize(
    "name, short",
    [
        ("湘潭县市场监督管理局", "湘潭县市监"),
        ("湘潭县行政审批服务局", "湘潭县审批"),
        ("国家税务总局湘潭县税务局", "湘潭县税"),
        ("湘潭县人力资源和社会保障局", "湘潭县人社"),
        ("湘潭县人民防空办公室", "湘潭县人防"),
        ("易俗河镇人民政府（便民服务中心）", "易俗河镇"),
        ("湘潭县通信网络服务中心", "湘潭县通信网络服务"),
        ("株洲高新区（天元区）行政审批服务局", "株洲高新区"),
    ],
)
def test_unit_short_names(name, short):
    assert rules.unit_short_name(name) == short


@pytest.mark.parametrize(
    "kind, serial, number",
    [
        (K.ACCEPTANCE, 1, "湘潭县市监受字〔2026〕第0001号"),
        (K.RECEIPT, 12, "湘潭县市监收字〔2026〕第0012号"),
        (K.CORRECTION, 3, "湘潭县市监补告字〔2026〕第0003号"),
        (K.REFUSAL, 4, "湘潭县市监不受字〔2026〕第0004号"),
        (K.APPROVAL, 10000, "湘潭县市监准许字〔2026〕第10000号"),
        (K.DENIAL, 5, "湘潭县市监不许字〔2026〕第0005号"),
        (K.DELIVERY, 6, "湘潭县市监送字〔2026〕第0006号"),
    ],
)
def test_document_numbers(kind, serial, number):
    assert (
        rules.document_number(unit_name="湘潭县市场监督管理局", kind=kind, year=2026, serial=serial) == number
    )


@pytest.mark.parametrize(
    "unit, region, level, parent, review, court",
    [
        ("湘潭县市场监督管理局", "湘潭县", 4, "湘潭市", "湘潭县人民政府", "湘潭县人民法院"),
        (
            "株洲高新区（天元区）行政审批服务局",
            "天元区",
            4,
            "株洲市",
            "天元区人民政府",
            "株洲市天元区人民法院",
        ),
        ("岳阳市生态环境局", "岳阳市", 3, "湖南省", "岳阳市人民政府", "岳阳市辖区内有管辖权的人民法院"),
        ("国家税务总局湘潭县税务局", "湘潭县", 4, "湘潭市", "上一级税务机关", "湘潭县人民法院"),
        ("易俗河镇人民政府（便民服务中心）", "湘潭县", 4, "湘潭市", "湘潭市人民政府", "湘潭县人民法院"),
    ],
)
def test_the_remedy_names_the_review_body_and_the_court(unit, region, level, parent, review, court):
    r = rules.remedy_for(unit_name=unit, region_name=region, region_level=level, parent_region_name=parent)
    assert (r.review_body, r.court) == (review, court)
    assert f"六十日内向{review}申请行政复议" in r.text and f"六个月内向{court}提起行政诉讼" in r.text


@pytest.mark.parametrize(
    "name, masked",
    [
        ("湘潭示范餐饮有限公司", "湘潭******公司"),
        ("张三", "张*"),
        ("李小明", "李*明"),
        ("", ""),
    ],
)
def test_public_pages_mask_names(name, masked):
    assert rules.mask_name(name) == masked


def test_every_action_that_issues_a_document_is_declared_on_the_case_workflow():
    from yiwang.cases.workflow import DOCUMENT_ACTIONS, WORKFLOW

    assert set(rules.ISSUED_BY) == set(DOCUMENT_ACTIONS)
    assert set(DOCUMENT_ACTIONS) - {"submit"} <= set(WORKFLOW.actions)
    declared = [r for r in WORKFLOW.reactions if r.name == "documents.issue_for_case"]
    assert len(declared) == 1 and declared[0].after_commit
