import pytest


@pytest.fixture
def ledger_history(db):
    """Last month's ledger reports of the demo (rolled back after the test)."""
    from yiwang.ledger.demo import load_ledger_demo

    return load_ledger_demo(with_history=True)
