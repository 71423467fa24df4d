"""Re-run a published draw in a fresh process, without Django or the database:

    python -m yiwang.supervision.redraw draw.json     # or: ... < draw.json

draw.json is what /supervision/draws/<number>/document.json publishes (seed, candidates,
inspectors, conflicts, ratios, per_target). Prints {result, result_hash, candidates_hash}; compare
result_hash and candidates_hash with the ones on the public page.
"""

import json
import sys

from yiwang.supervision.rules import draw_from_json


def main(argv: list[str]) -> int:
    raw = open(argv[1], encoding="utf-8").read() if len(argv) > 1 else sys.stdin.read()
    out = draw_from_json(json.loads(raw))
    sys.stdout.write(json.dumps(out, ensure_ascii=False, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
