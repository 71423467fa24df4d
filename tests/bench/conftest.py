# The case engine's fixtures (a case submitted or accepted on a given day), for the bulk recompute test.
from tests.cases.conftest import accepted_case, make_case, users  # noqa: F401
