"""一企一档: values imported from a department's Excel or CSV carry their source and date, the size
follows from them, a bad file is refused whole, and an enterprise that newly qualifies is pushed once."""

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook

from yiwang.core.errors import DomainError
from yiwang.core.models import OutboxMessage
from yiwang.policies import selectors, services
from yiwang.policies.adapters import LocalFileSource
from yiwang.policies.demo import XTCY
from yiwang.policies.models import EnterpriseProfile, EnterpriseYear, Policy

pytestmark = pytest.mark.django_db


def csv_source(text: str, name="人社（参保登记）"):
    return LocalFileSource(content=text.encode("utf-8-sig"), filename="社保.csv", name=name, as_of=date(2026, 11, 30))


def test_a_csv_import_records_each_value_with_its_source_and_date_and_resizes_the_enterprise():
    result = services.profile_import(source=csv_source(
        f"统一社会信用代码,年度,从业人数,社保参保人数,营业收入（万元）\n{XTCY},2026,120,110,2500\n"))
    assert (result["records"], result["source"]) == (1, "人社（参保登记）")
    p = EnterpriseProfile.objects.get(party__number=XTCY)
    assert (p.employees, p.insured, p.revenue, p.size) == (120, 110, Decimal("2500.00"), "medium")
    assert p.sources["insured"] == {"source": "人社（参保登记）", "as_of": "2026-11-30"}
    assert p.sources["size"]["source"].startswith("按《统计上大中小微型企业划分办法")
    assert EnterpriseYear.objects.get(profile=p, year=2026).insured == 110
    ex = selectors.explain(Policy.objects.get(code="XTX-2026-WG01"), p)
    insured = next(o for o in ex.outcomes if o.condition["field"] == "insured")
    assert (insured.value, insured.source, insured.as_of) == ("110人", "人社（参保登记）", "2026-11-30")


def test_an_older_year_goes_to_its_year_row_without_replacing_the_latest_figures():
    services.profile_import(source=csv_source(f"统一社会信用代码,年度,从业人数\n{XTCY},2023,7\n"))
    p = EnterpriseProfile.objects.get(party__number=XTCY)
    assert p.employees == 18 and EnterpriseYear.objects.get(profile=p, year=2023).employees == 7


def test_an_excel_import_reads_the_same_headers():
    wb = Workbook()
    ws = wb.active
    ws.append(["统一社会信用代码", "年度", "纳税额（万元）", "纳税信用等级"])
    ws.append([XTCY, 2026, 33.5, "a"])
    buf = io.BytesIO()
    wb.save(buf)
    services.profile_import(source=LocalFileSource(content=buf.getvalue(), filename="税务.xlsx", name="税务（年度申报）",
                                                   as_of=date(2026, 11, 30)))
    p = EnterpriseProfile.objects.get(party__number=XTCY)
    assert (p.tax_paid, p.credit_grade, p.sources["tax_paid"]["source"]) == (Decimal("33.50"), "A", "税务（年度申报）")


@pytest.mark.parametrize(("text", "filename", "message"), [
    ("从业人数\n5\n", "a.csv", "缺少“统一社会信用代码”列"),
    ("统一社会信用代码,从业人数\n91430321MA4T8K2P6K,很多\n", "a.csv", "第2行“从业人数”格式不正确"),
    ("统一社会信用代码,从业人数\n91430321MA4T8K2P6K,5\n91110000600037341L,5\n", "a.csv", "第3行：统一社会信用代码"),
    ("", "a.csv", "文件为空"),
    ("x", "a.pdf", "文件类型不支持"),
])
def test_a_bad_file_is_refused_whole_naming_the_line(text, filename, message):
    before = EnterpriseProfile.objects.get(party__number=XTCY).employees
    with pytest.raises(DomainError) as caught:
        services.profile_import(source=LocalFileSource(content=text.encode(), filename=filename, name="人社",
                                                       as_of=date(2026, 11, 30)))
    assert message in caught.value.message and caught.value.field == "file"
    assert EnterpriseProfile.objects.get(party__number=XTCY).employees == before


def test_an_enterprise_that_newly_qualifies_after_a_profile_change_is_pushed_once():
    policy = Policy.objects.get(code="XTX-2026-KX01")  # needs 科技型中小企业, which xtcy lacks
    services.policy_push(policy=policy)
    before = OutboxMessage.objects.filter(topic="policies.push", payload__policy=policy.code).count()
    p = EnterpriseProfile.objects.get(party__number=XTCY)
    p.qualifications.create(kind="tech_sme", recognised_on=date(2026, 5, 1), valid_until=date(2026, 12, 31),
                            source="科技型中小企业评价系统")
    assert services.policy_push(policy=policy) == 1
    assert services.policy_push(policy=policy) == 0
    assert OutboxMessage.objects.filter(topic="policies.push", payload__policy=policy.code).count() == before + 1
