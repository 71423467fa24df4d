from yiwang.bundlecases import selectors
from yiwang.bundlecases.models import BundleMemberCase

from .conftest import DAY, XTKJ, at, drive, submit_and_accept  # noqa: F401


def _children(bc):
    return {link.member.implementation.item.basic_code if False else link.case.implementation.impl_code: link.case
            for link in BundleMemberCase.objects.filter(bundle_case=bc).select_related("case__implementation")}


def test_qykb_starts_the_business_licence_first_and_the_rest_after_its_approval(submit_and_accept):
    bc = submit_and_accept("QYKB", XTKJ)
    kids = _children(bc)
    assert list(kids) == ["430321-QYSLDJ"]
    assert bc.status == "running"
    drive(kids["430321-QYSLDJ"].number, now=at(DAY, 14))
    bc.refresh_from_db()
    kids = _children(bc)
    assert len(kids) == 6
    assert bc.status == "completed"
