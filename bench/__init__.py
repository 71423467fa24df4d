"""Yiwang's benchmark suite: `make bench` (or `python -m bench`). See docs/performance.md."""
