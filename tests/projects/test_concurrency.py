"""Two officers naming the project's agent at once: one wins, the other gets 409; one event."""

import pytest

from .conftest import user

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("with_version", [True, False])
def test_two_agent_assignments_at_once_one_wins_the_other_gets_409(postgres, run_threads, make_project, with_version):
    from yiwang.core.errors import Conflict
    from yiwang.projects.services import project_agent_assign

    p = make_project()
    agents = [user("zhuanyuan"), user("xtx-zj")]
    results = run_threads(lambda i: project_agent_assign(
        project=p.code, agent=agents[i], actor=user("tyjk"), version=p.version if with_version else None), 2)
    assert sorted(r[0] for r in results) == ["error", "ok"], results
    assert isinstance(next(r[1] for r in results if r[0] == "error"), Conflict)
    assert p.events.filter(action="assign_agent").count() == 1
