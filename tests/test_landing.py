"""After login each user lands where their work is; applicants have a personal centre with their
messages."""

from datetime import date

import pytest
from django.test import Client

from tests.cases.conftest import XTKJ, at, form_for

pytestmark = pytest.mark.django_db


def _login(username: str, next_url: str | None = None):
    c = Client()
    data = {"username": username, "password": "Demo@2026"}
    if next_url is not None:
        data["next"] = next_url
    return c, c.post("/accounts/login/", data)


@pytest.mark.parametrize(("username", "landing"), [
    ("clerk", "/workbench/"), ("approver", "/workbench/"), ("operator", "/hotline/"),
    ("xtkj", "/me/cases/"), ("zhang", "/me/cases/"),
])
@pytest.mark.parametrize("next_url", [None, "", "/"])
def test_staff_land_on_their_workbench_and_applicants_on_their_cases(username, landing, next_url):
    _, r = _login(username, next_url)
    assert r.status_code == 302 and r["Location"].startswith(landing), r["Location"]


@pytest.mark.parametrize("username", ["clerk", "xtkj"])
def test_the_page_asked_for_wins_but_never_an_off_site_one(username):
    _, r = _login(username, "/items/430321-QYSLDJ/")
    assert r["Location"] == "/items/430321-QYSLDJ/"
    _, r = _login(username, "//evil.example/")
    assert "evil.example" not in r["Location"]


def test_an_applicant_reads_the_notices_sent_to_them_and_nobody_elses():
    from yiwang.cases import services
    from yiwang.parties.models import Party

    xtkj_user = Party.objects.get(number=XTKJ["number"]).user
    case = services.case_submit(actor=xtkj_user, item="430321-QYSLDJ", applicant=Party.objects.get(
        number=XTKJ["number"]), form=form_for("430321-QYSLDJ"), channel="online", now=at(date(2026, 9, 28)))
    mine, _ = _login("xtkj")
    html = mine.get("/me/messages/").content.decode()
    assert case.number in html and "申请已收到" in html
    assert "我的办件" in mine.get("/").content.decode()  # the personal centre in the navigation
    other, _ = _login("xtcy")
    assert case.number not in other.get("/me/messages/").content.decode()
    clerk, _ = _login("clerk")
    assert "我的证照" not in clerk.get("/").content.decode()
