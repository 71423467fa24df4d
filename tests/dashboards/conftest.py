import pytest


@pytest.fixture
def history(db):
    """The demo's months of cases, ratings and requests (made through the services; rolled back after)."""
    from yiwang.dashboards.demo import load_dashboard_demo

    return load_dashboard_demo()
