"""`python -m bench.cluster [cluster|soak]` — see bench/cluster/runner.py (make cluster, make soak)."""

import sys

from .runner import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "cluster"))
