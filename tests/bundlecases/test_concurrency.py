"""Real threads on PostgreSQL: two clerks accept one bundle case; concurrent submissions get distinct numbers;
two approvals racing in parallel members still start the next member once."""



from .conftest import XTKJ, asked, at, drive, merged_form


def test_concurrent_bundle_submissions_get_distinct_numbers(postgres, run_threads):
    from yiwang.bundlecases import services
    from yiwang.parties.models import Party

    p = Party.objects.get(number=XTKJ)
    results = run_threads(lambda i: services.bundle_case_submit(
        actor=p.user, bundle="QYKB", applicant=p, form=merged_form("QYKB"), now=at()).number, 4)
    assert all(r[0] == "ok" for r in results), results
    assert len({r[1] for r in results}) == 4


def test_two_clerks_accepting_one_bundle_case_one_wins_the_other_gets_409(postgres, run_threads):
    from django.contrib.auth import get_user_model

    from yiwang.bundlecases import services
    from yiwang.bundlecases.models import BundleMemberCase
    from yiwang.core.errors import Conflict
    from yiwang.parties.models import Party

    p = Party.objects.get(number=XTKJ)
    clerk = get_user_model().objects.get(username="bundleclerk")
    bc = services.bundle_case_submit(actor=p.user, bundle="QYKB", applicant=p, form=merged_form("QYKB"), now=at())
    results = run_threads(lambda i: services.bundle_case_accept(
        bundle_case=bc.number, actor=clerk, paper=asked("QYKB"), version=bc.version, now=at()), 2)
    kinds = sorted(r[0] for r in results)
    assert kinds == ["error", "ok"], results
    assert isinstance(next(r[1] for r in results if r[0] == "error"), Conflict)
    assert BundleMemberCase.objects.filter(bundle_case=bc).count() == 1


def test_parallel_members_approved_at_once_start_the_waiting_member_once(postgres, run_threads):
    from django.contrib.auth import get_user_model

    from yiwang.bundlecases import services
    from yiwang.bundlecases.models import BundleMemberCase
    from yiwang.parties.models import Party

    p = Party.objects.get(number=XTKJ)
    clerk = get_user_model().objects.get(username="bundleclerk")
    bc = services.bundle_case_submit(actor=p.user, bundle="XMKG", applicant=p, form=merged_form("XMKG"), now=at())
    services.bundle_case_accept(bundle_case=bc.number, actor=clerk, paper=asked("XMKG"), now=at())
    drive(BundleMemberCase.objects.get(bundle_case=bc).case.number, now=at())
    pair = [link.case.number for link in BundleMemberCase.objects.filter(bundle_case=bc).select_related("case")
            if link.case.status == "accepted"]
    assert len(pair) == 2
    results = run_threads(lambda i: drive(pair[i], now=at()), 2)
    assert all(r[0] == "ok" for r in results), results
    links = BundleMemberCase.objects.filter(bundle_case=bc, member__implementation__impl_code="430321-SGXK")
    assert links.count() == 1
