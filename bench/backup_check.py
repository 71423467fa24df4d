"""`make backup-check`: a backup is only a backup once a restore of it has been seen to work.

1. A source database: YIWANG_BACKUP_SOURCE_URL, or `yiwang_backup_src` copied from the cluster
   template (migrated, demo loaded) with one more case taken through its whole lifecycle here
   (licence signed) and an audit row, so that the dump holds fresh history.
2. `pg_dump -Fc` of it (as deploy/yiwang-backup.sh does every night) into var/backup/.
3. `pg_restore` into a fresh database `yiwang_restore_check`.
4. Against the restored database: `yiwang migrate --check` (no migration missing), gunicorn starts
   and answers the case's detail through the API, and `python -m bench.backup_check verify` checks
   the case's history (every event there in order, the status and deadline the history gives), its
   licence's SM2 signature and signed history, the audit chain (SM3), and that the histories of
   every case equal the source's row for row.
Exits non-zero at the first failure. Ports 18380 only; databases on YIWANG_CLUSTER_DATABASE_URL's server.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from .cluster import procs
from .common import ROOT, url_with_db

PORT = 18380


def history_digest() -> tuple[int, str]:
    """(events, SHA-256 over every case event row in order): equal in the source and the restore."""
    from django.db import connection

    h, n = hashlib.sha256(), 0
    with connection.cursor() as cur:
        cur.execute("SELECT c.number, e.seq, e.action, e.from_status, e.to_status, e.at, e.data::text "
                    "FROM cases_caseevent e JOIN cases_case c ON c.id = e.case_id ORDER BY c.number, e.seq")
        for row in cur:
            h.update(repr(row).encode())
            n += 1
    return n, h.hexdigest()


def case_checks(number: str) -> list[str]:
    """What is wrong with one case's history as restored (empty when it verifies)."""
    from yiwang.cases import clock
    from yiwang.cases.models import Case
    from yiwang.licences.models import Licence
    from yiwang.licences.selectors import licence_verify

    case = Case.objects.get(number=number)
    events = list(case.events.order_by("seq"))
    problems = []
    if [e.seq for e in events] != list(range(1, len(events) + 1)) or events[-1].seq != case.version:
        problems.append(f"events {[e.seq for e in events]} do not run 1..{case.version}")
    if events[-1].to_status != case.status:
        problems.append(f"the last event leads to {events[-1].to_status}, the case is {case.status}")
    deadline = clock.deadline_from_history(clock.history_from_events(events, promised_days=case.promised_days)).date
    if deadline != case.deadline:
        problems.append(f"the history gives deadline {deadline}, the case has {case.deadline}")
    for lic in Licence.objects.filter(case_number=number):
        check = licence_verify(lic.identifier)
        if not check["valid"]:
            problems.append(f"licence {lic.identifier}: {check['reason']}")
    return problems


def verify_main(number: str) -> int:
    """Run in a process whose Django points at the restored database; prints one JSON line."""
    import django

    django.setup()
    from yiwang.core.audit import audit_verify

    chain = audit_verify()
    out = {"case": number, "problems": case_checks(number), "audit_ok": chain.ok, "audit": chain.message}
    out["events"], out["digest"] = history_digest()
    print(json.dumps(out, ensure_ascii=False))
    return 0 if chain.ok and not out["problems"] else 1


def prepare_source(url: str, env: dict[str, str]) -> str:
    """A delivered case (licence signed) and an audit row in the source; returns the case number."""
    code = (
        "import django; django.setup()\n"
        "from bench.fig_lifecycle import choose_plan\n"
        "from bench.lifecycle import lifecycle\n"
        "from django.contrib.auth import get_user_model\n"
        "from yiwang.parties.models import Party\n"
        "from yiwang.cases.models import Case\n"
        "from yiwang.core.audit import audit_record, audit_seal\n"
        f"plan = choose_plan(type('C', (), {{'url': {url!r}}})())\n"
        "U = get_user_model()\n"
        "users = {'clerk': U.objects.get(username=plan['clerk']), 'approver': U.objects.get(username=plan['approver'])}\n"
        "lifecycle(dict(plan, party_id=Party.objects.get(pk=plan['party_id'])), users)\n"
        "audit_record(action='token_issued', actor=users['clerk'], object_type='token', object_id='backup-check')\n"
        "audit_seal()\n"
        "print(Case.objects.order_by('-id').values_list('number', flat=True).first())\n")
    out = run([sys.executable, "-c", code], env)
    return out.strip().splitlines()[-1]


def run(argv: list[str], env: dict[str, str]) -> str:
    p = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"FAILED: {' '.join(argv[:3])} …: exit {p.returncode}\n{(p.stdout + p.stderr)[-3000:]}")
    return p.stdout


def restore(src: str, dst: str, dump: Path, env: dict[str, str]) -> None:
    """pg_dump -Fc of src, then pg_restore into dst made anew (the commands of deploy/yiwang-backup.sh)."""
    dump.parent.mkdir(parents=True, exist_ok=True)
    run(["pg_dump", "-Fc", "--no-owner", "-f", str(dump), "-d", src], env)
    name = dst.rsplit("/", 1)[1].split("?")[0]
    procs.psql(dst, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', server=True)
    procs.psql(dst, f'CREATE DATABASE "{name}"', server=True)
    run(["pg_restore", "--no-owner", "--exit-on-error", "-d", dst, str(dump)], env)


def platform_starts(number: str, env: dict[str, str]) -> None:
    """gunicorn on the restored database answers the case's detail to the clerk."""
    from .cluster.load import Api

    web = procs.web("restore-web", PORT, env, ROOT / "var" / "backup")
    web.start()
    try:
        web.wait_up()
        api = Api(PORT)
        status, doc = api.call("POST", "/api/v1/auth/token", "", {"username": "clerk", "password": "Demo@2026"})
        if status != 200:
            raise SystemExit(f"FAILED: token on the restored platform: {status} {doc}")
        status, case = api.call("GET", f"/api/v1/cases/{number}", doc["token"])
        api.close()
        if status != 200 or case["number"] != number:
            raise SystemExit(f"FAILED: GET /api/v1/cases/{number} on the restored platform: {status}")
        print(f"  · the restored platform answers: {number} {case['status_label']}, "
              f"{len(case['history'])} events", flush=True)
    finally:
        web.stop()


def main() -> int:
    server = os.environ.get("YIWANG_CLUSTER_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    src = os.environ.get("YIWANG_BACKUP_SOURCE_URL") or url_with_db(server, "yiwang_backup_src")
    dst = url_with_db(server, "yiwang_restore_check")
    src_env = procs.run_env(src, "", "")
    for k in ("YIWANG_REDIS_URL", "YIWANG_REDIS_PREFIX", "YIWANG_NOTIFICATION_SENDER"):
        src_env.pop(k)
    if not os.environ.get("YIWANG_BACKUP_SOURCE_URL"):
        procs.fresh_database(src, src_env, lambda m: print(f"  · {m}", flush=True))
    number = prepare_source(src, src_env)
    print(f"  · source {src.rsplit('/', 1)[1]}: case {number} delivered, its licence signed", flush=True)
    dump = ROOT / "var" / "backup" / "yiwang.dump"
    restore(src, dst, dump, src_env)
    print(f"  · pg_dump -Fc → {dump.relative_to(ROOT)} ({dump.stat().st_size // 1024} kB) → pg_restore into "
          f"{dst.rsplit('/', 1)[1]}", flush=True)
    dst_env = dict(src_env, YIWANG_DATABASE_URL=dst)
    run([str(procs.BIN / "yiwang"), "migrate", "--check"], dst_env)
    print("  · yiwang migrate --check: no migration missing", flush=True)
    platform_starts(number, dst_env)
    before = json.loads(run([sys.executable, "-m", "bench.backup_check", "verify", number], src_env).splitlines()[-1])
    after = json.loads(run([sys.executable, "-m", "bench.backup_check", "verify", number], dst_env).splitlines()[-1])
    print(f"  · restored: case {number} history verifies ({after['problems'] or 'status, deadline, licence SM2'}); "
          f"audit chain: {after['audit']}; {after['events']} case events, digest "
          f"{'equal to' if after['digest'] == before['digest'] else 'DIFFERENT from'} the source's", flush=True)
    ok = not after["problems"] and after["audit_ok"] and after["digest"] == before["digest"]
    print("OK (backup-check)" if ok else "FAILED (backup-check)")
    return 0 if ok else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["verify"]:
        sys.exit(verify_main(sys.argv[2]))
    sys.exit(main())
