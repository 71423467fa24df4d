"""The lifecycle load of a run: client threads that take cases through the HTTP API as the window
clerk and the approver (bearer tokens of the demo accounts): submit → accept → review → approve →
deliver, one case at a time per thread, each answer written to the ledger.

A request whose answer is lost (the web server died: connection reset, HAProxy's 502) has an
unknown outcome. An action is then settled by reading the case (its history says whether it was
done) and repeated only if it was not. A submission is repeated with its reference (a unique value
in the form) as its Idempotency-Key, so the platform answers a repeat with the first case; only one
whose every retry failed is counted "in doubt" and looked up in the database at the end. Every few cases the thread brings the case's
delivery-limit timer forward after approval (a direct UPDATE of its due time: the harness's time
travel, so that the timer is due within the run) and delivers only once the worker has fired it.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field

UNKNOWN = {0, 500, 502, 504}  # no answer, or an answer that does not say whether it was done
# HAProxy had no web server up (503), or no server listened (connection refused, reported as 503 too):
# the request reached none, so it may be sent again.
NOT_SENT = 503


class Api:
    """Keep-alive JSON over http.client to 127.0.0.1 only; (0, None) when the connection failed."""

    def __init__(self, port: int):
        self.port, self.conn = port, None

    def call(self, method: str, path: str, token: str, body: dict | None = None,
             extra: dict | None = None) -> tuple[int, dict | None]:
        headers = {"Authorization": f"Bearer {token}", **(extra or {})}
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json"
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            if self.conn.sock is None:
                try:
                    self.conn.connect()
                except ConnectionRefusedError:  # nobody listening: nothing was sent
                    self.close()
                    return NOT_SENT, None
            self.conn.request(method, path, body=data, headers=headers)
            resp = self.conn.getresponse()
            raw = resp.read()
        except (OSError, http.client.HTTPException):
            self.close()
            return 0, None
        if resp.getheader("Connection", "").lower() == "close":
            self.close()
        try:
            return resp.status, json.loads(raw)
        except ValueError:
            return resp.status, None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.conn = None


@dataclass
class Ledger:
    """What the clients were told, shared by the threads (under one lock)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    submitted: dict = field(default_factory=dict)  # ref -> case number (201)
    in_doubt: set = field(default_factory=set)  # refs whose answer was lost
    acked: list = field(default_factory=list)  # (number, action, at)
    settled: int = 0  # unknown outcomes of actions settled by reading the case
    refused: list = field(default_factory=list)  # (number or ref, action, status, body)
    timer_cases: set = field(default_factory=set)
    statuses: dict = field(default_factory=dict)

    def note(self, status: int) -> None:
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1

    def ack(self, number: str, action: str) -> None:
        with self.lock:
            self.acked.append((number, action, time.time()))


class Load:
    """The client threads of a run, started and stopped by the runner; `phase` labels the time."""

    def __init__(self, *, port: int, plan: dict, bodies: list[dict], tokens: dict, run_id: str, threads: int,
                 db_url: str, timer_every: int = 4):
        self.port, self.plan, self.bodies, self.tokens, self.run_id = port, plan, bodies, tokens, run_id
        self.n_threads, self.db_url, self.timer_every = threads, db_url, timer_every
        self.ledger = Ledger()
        self.deferred: deque = deque()  # (ready_at, number) waiting for their timer before delivery
        self.seq = 0
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        for i in range(self.n_threads):
            t = threading.Thread(target=self._run, name=f"client-{i}", daemon=True)
            t.start()
            self.threads.append(t)

    def stop(self, drain_seconds: float) -> None:
        """No new cases; finish the deferred deliveries (their timers must fire first), then stop."""
        self.stopping.set()
        deadline = time.time() + drain_seconds
        while self.deferred and time.time() < deadline:
            time.sleep(0.2)
        self.drain_deadline = deadline
        for t in self.threads:
            t.join(timeout=max(1.0, deadline - time.time()) + 35)

    def _next_ref(self) -> tuple[int, str]:
        with self.ledger.lock:
            self.seq += 1
            return self.seq, f"{self.run_id}-{self.seq:06d}"

    def _run(self) -> None:
        import psycopg

        api, db = Api(self.port), psycopg.connect(self.db_url, autocommit=True)
        try:
            while True:
                if self._deliver_deferred(api):
                    continue
                if self.stopping.is_set():
                    if not self.deferred or time.time() > getattr(self, "drain_deadline", 1e18):
                        return
                    time.sleep(0.2)
                    continue
                self._lifecycle(api, db)
        finally:
            api.close()
            db.close()

    def _lifecycle(self, api: Api, db) -> None:
        n, ref = self._next_ref()
        number = self._submit(api, n, ref)
        if number is None:
            return
        clerk, approver = self.tokens["clerk"], self.tokens["approver"]
        steps = [("accept", clerk, {"paper": self.plan["paper"]})]
        if self.plan["review"]:
            steps.append(("review", approver, {}))
        steps.append(("approve", approver, {}))
        for action, token, body in steps:
            if not self.act(api, number, action, token, body):
                return
        if n % self.timer_every == 0 and self._bring_timer_forward(db, number):
            with self.ledger.lock:
                self.ledger.timer_cases.add(number)
                self.deferred.append((time.time() + 0.5, number))
            return
        self.act(api, number, "deliver", clerk, {"method": "window"})

    def _submit(self, api: Api, n: int, ref: str) -> str | None:
        body = dict(self.bodies[n % len(self.bodies)])
        body["form"] = dict(body["form"], **{self.plan["ref_field"]: ref})
        # A lost answer is retried with the same Idempotency-Key: the platform replays the first case
        # instead of making a second, so an answer lost to a killed server leaves nothing in doubt.
        for _ in range(120):
            status, doc = api.call("POST", "/api/v1/cases", self.tokens["clerk"], body, {"Idempotency-Key": ref})
            self.ledger.note(status)
            if status != NOT_SENT and status not in UNKNOWN:
                break
            time.sleep(0.5 if status == NOT_SENT else 0.2)
        if status == 201:
            with self.ledger.lock:
                self.ledger.submitted[ref] = doc["number"]
            self.ledger.ack(doc["number"], "submit")
            return doc["number"]
        with self.ledger.lock:
            if status in UNKNOWN:
                self.ledger.in_doubt.add(ref)
            else:
                self.ledger.refused.append((ref, "submit", status, doc))
        if status in UNKNOWN:
            time.sleep(0.2)  # the server is going or gone: give the balancer a moment
        return None

    def act(self, api: Api, number: str, action: str, token: str, body: dict) -> bool:
        """One action, settled when its answer was lost: True once the case's history has it."""
        for _ in range(120):
            status, doc = api.call("POST", f"/api/v1/cases/{number}/{action}", token, body)
            self.ledger.note(status)
            if status == 200:
                self.ledger.ack(number, action)
                return True
            if status == NOT_SENT:
                time.sleep(0.5)
                continue
            if status not in UNKNOWN and status != 409:
                with self.ledger.lock:
                    self.ledger.refused.append((number, action, status, doc))
                return False
            done = self._history_has(api, number, action, token)
            if done:
                with self.ledger.lock:
                    self.ledger.settled += 1
                return True
            if status == 409:  # not done, and refused: a real conflict (no other client acts on it)
                with self.ledger.lock:
                    self.ledger.refused.append((number, action, status, doc))
                return False
            time.sleep(0.2)
        return False

    def _history_has(self, api: Api, number: str, action: str, token: str) -> bool:
        for _ in range(150):  # ≈ 30 s: a web server is back or the other one answers by then
            status, doc = api.call("GET", f"/api/v1/cases/{number}", token)
            if status == 200:
                return any(e["action"] == action for e in doc["history"])
            time.sleep(0.2)
        return False

    def _bring_timer_forward(self, db, number: str) -> bool:
        cur = db.execute(
            "UPDATE core_timer SET due_at = now() - interval '1 second' WHERE kind = 'case.delivery_limit' "
            "AND key = %s AND fired_at IS NULL AND cancelled_at IS NULL RETURNING id", (number,))
        return cur.fetchone() is not None

    def _deliver_deferred(self, api: Api) -> bool:
        """Deliver one case whose timer has fired (its flag is in the history); False when none is ready."""
        with self.ledger.lock:
            if not self.deferred or self.deferred[0][0] > time.time():
                return False
            _, number = self.deferred.popleft()
        clerk = self.tokens["clerk"]
        if self._history_has(api, number, "flag_delivery_overdue", clerk):
            self.act(api, number, "deliver", clerk, {"method": "window"})
        else:
            with self.ledger.lock:
                self.deferred.append((time.time() + 0.5, number))
        return True


def evaluation_timers_forward(db_url: str, since, stop: threading.Event) -> None:
    """The ager: every half second, bring the rating defaults of the run's deliveries forward (the
    worker invites the rating after the delivery commits, with a default due days later)."""
    import psycopg

    with psycopg.connect(db_url, autocommit=True) as db:
        while not stop.wait(0.5):
            db.execute("UPDATE core_timer SET due_at = now() - interval '1 second' WHERE kind = 'evaluation.default' "
                       "AND fired_at IS NULL AND cancelled_at IS NULL AND due_at > now() AND created_at >= %s",
                       (since,))


def lock_sampler(db_url: str, stop: threading.Event, out: dict) -> None:
    """Every half second, what the run's active sessions wait on: how much of the time a transaction
    queues behind another's row lock, and on which table (the scale-out limit a run shows)."""
    import re

    import psycopg

    table = re.compile(r'(?:FROM|UPDATE|INTO)\s+"?(\w+)"?', re.I)
    with psycopg.connect(db_url, autocommit=True) as db:
        while not stop.wait(0.5):
            for wait, query in db.execute(
                    "SELECT wait_event_type, query FROM pg_stat_activity WHERE datname = current_database() "
                    "AND state = 'active' AND pid <> pg_backend_pid()").fetchall():
                out["active"] = out.get("active", 0) + 1
                if wait == "Lock":
                    m = table.search(query or "")
                    key = m.group(1) if m else "?"
                    out.setdefault("lock", {})[key] = out.setdefault("lock", {}).get(key, 0) + 1
