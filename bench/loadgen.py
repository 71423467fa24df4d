"""A small HTTP load generator, run as its own process: `python -m bench.loadgen SPEC.json`.

Threads with keep-alive http.client connections hit one endpoint for a fixed time (after a short
warm-up that is not counted) and print one JSON line: requests, rate, p50/p99, status counts.
The spec: {"host", "port", "method", "paths": [...], "bodies": [... or null], "headers": {...},
"seconds", "warmup", "concurrency"}; paths and bodies are taken in turn, so every POST is different.
Only 127.0.0.1 is allowed: the bench never sends load to another machine.
"""

from __future__ import annotations

import http.client
import itertools
import json
import sys
import threading
import time


def worker(spec, stop_at, count_from, seq, lock, out):
    conn = http.client.HTTPConnection(spec["host"], spec["port"], timeout=30)
    lat, statuses, errors = [], {}, 0
    paths, bodies = spec["paths"], spec.get("bodies")
    headers = dict(spec.get("headers") or {})
    if bodies:
        headers["Content-Type"] = "application/json"
    while True:
        with lock:
            i = next(seq)
        path = paths[i % len(paths)]
        body = json.dumps(bodies[i % len(bodies)], ensure_ascii=False).encode() if bodies else None
        t0 = time.perf_counter()
        if t0 >= stop_at:
            break
        try:
            conn.request(spec["method"], path, body=body, headers=headers)
            resp = conn.getresponse()
            resp.read()
            status = resp.status
            if resp.getheader("Connection", "").lower() == "close":
                conn.close()
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection(spec["host"], spec["port"], timeout=30)
            errors += 1
            status = 0
        t1 = time.perf_counter()
        if t0 >= count_from:
            lat.append(t1 - t0)
            statuses[status] = statuses.get(status, 0) + 1
    conn.close()
    with lock:
        out.append((lat, statuses, errors))


def main() -> int:
    spec = json.load(open(sys.argv[1], encoding="utf-8"))
    if spec["host"] not in ("127.0.0.1", "localhost", "::1"):
        print(json.dumps({"error": "loadgen only targets 127.0.0.1"}))
        return 2
    start = time.perf_counter()
    count_from = start + spec.get("warmup", 1.0)
    stop_at = count_from + spec["seconds"]
    lock, seq, out = threading.Lock(), itertools.count(), []
    threads = [threading.Thread(target=worker, args=(spec, stop_at, count_from, seq, lock, out))
               for _ in range(spec["concurrency"])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lat = sorted(x for part in out for x in part[0])
    statuses: dict = {}
    for _, st, _ in out:
        for k, v in st.items():
            statuses[str(k)] = statuses.get(str(k), 0) + v
    n = len(lat)

    def pct(p):
        return round(lat[max(0, min(n - 1, int(p / 100 * n + 0.5) - 1))] * 1000, 2) if n else None

    print(json.dumps({
        "requests": n,
        "seconds": spec["seconds"],
        "rps": round(n / spec["seconds"], 1),
        "p50_ms": pct(50),
        "p99_ms": pct(99),
        "max_ms": round(lat[-1] * 1000, 2) if n else None,
        "statuses": statuses,
        "errors": sum(e for _, _, e in out),
        "concurrency": spec["concurrency"],
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
