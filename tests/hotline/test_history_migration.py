"""Migration 0004 turns the old events into history rows: seq by order, the business date, the
statuses a flag left empty, the actor's kind, the visit's and item closing's new names."""

import importlib
from datetime import datetime, timedelta
from types import SimpleNamespace

from yiwang.evaluations.rules import TZ

fill = importlib.import_module("yiwang.hotline.migrations.0004_workflow_history_fill")


class FakeEvent(SimpleNamespace):
    def save(self, update_fields):
        self.saved = sorted(update_fields)


class FakeEvents:
    def __init__(self, rows):
        self.rows = rows

    @property
    def objects(self):
        return self

    def filter(self, **kw):
        return self

    def order_by(self, *fields):
        return sorted(self.rows, key=lambda e: (e.at, e.id))


def test_old_events_get_seq_dates_statuses_kinds_and_new_names():
    t0 = datetime(2026, 12, 31, 23, 30, tzinfo=TZ)

    def ev(i, action, to="", actor=None, frm=""):
        return FakeEvent(id=i, action=action, from_status=frm, to_status=to, actor_id=actor,
                         at=t0 + timedelta(minutes=20 * i))

    rows = [ev(1, "create", "new", 7), ev(2, "dispatch", "dispatched", 7, "new"), ev(3, "sign_overdue"),
            ev(4, "sign", "handling", 9, "dispatched"), ev(5, "item_closed", actor=9), ev(6, "attach"),
            ev(7, "reply", "replied", 9, "handling"), ev(8, "reopen", "handling", 7, "replied")]
    req = SimpleNamespace(pk=1, status="handling", received_at=t0)
    out = fill._fill(req, FakeEvents(rows), hotline_users={7})
    assert [e.seq for e in rows] == list(range(1, 9)) and out["version"] == 8
    assert (rows[2].from_status, rows[2].to_status, rows[2].actor_kind) == ("dispatched", "dispatched", "system")
    assert (rows[4].action, rows[4].to_status, rows[4].actor_kind) == ("close_item", "handling", "unit")
    assert rows[5].actor_kind == "requester" and rows[7].action == "visit"
    assert rows[0].on.isoformat() == "2026-12-31" and rows[1].on.isoformat() == "2027-01-01"  # Beijing time
    assert out["deadline_from"] == rows[7].at and out["dispatched_at"] is None
