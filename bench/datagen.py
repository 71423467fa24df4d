"""The data set: parties and cases with their full histories over two years, generated in bulk.

Reproducible: one seed gives the same data set. Fast: rows go in with PostgreSQL COPY, never
through the service layer (that is what figure 1 measures). Each case is a timeline drawn from the
proportions a county hall sees, then cut at today: old cases are finished, recent ones are at
whatever step they have reached, so the statuses, due states, pauses and extensions of the running
ones come out of the same rules as the rest.

Per case: 1.5 % refused, 2 % withdrawn, 8 % asked once for corrections (a tenth never come back),
instant items decided on acceptance, 30 % of commitment-eligible cases decided on commitment with a
post-check (2 % fail it), 5 % paused for a special procedure, 3 % extended once, 3 % decided late,
0.5 % stuck (never decided: the long-overdue tail), 4 % denied, 1 % delivered late.
The deadlines, pause sums and due states are computed with the case engine's own clock functions
(yiwang.cases.clock), so they equal what the engine would have written.

Timers the engine would have pending are written too (deemed acceptance for submitted cases,
deemed approval for running ones whose item allows it, delivery limits, post-checks). The outbox is
not: its rows are relayed and sent, and a real deployment prunes them.
"""

from __future__ import annotations

import json
import random
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo

from .common import Figure, SkipFigure

MARKER_TABLE = "bench_dataset"
CHUNK = 20_000
SPAN_DAYS = 730


# ---------------------------------------------------------------- bookkeeping


def _extra_columns(listed: str) -> tuple[list[str], tuple]:
    """Case columns the generator does not set itself, with the value the model gives a new row."""
    from yiwang.cases.models import Case

    names = {c.strip() for c in listed.split(",")}
    cols, values = [], []
    for f in Case._meta.concrete_fields:
        if f.column in names:
            continue
        value = f.get_default() if f.has_default() else None
        if isinstance(value, (dict, list)):
            value = json.dumps(value, ensure_ascii=False)
        cols.append(f.column)
        values.append(value)
    return cols, tuple(values)



def _marker(cur) -> dict | None:
    cur.execute(f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (scale int, seed int, cases int, events int, "
                "parties_from bigint, parties_to bigint, seconds float, generated_at timestamptz)")
    cur.execute(f"SELECT scale, seed, cases, events, parties_from, parties_to, seconds FROM {MARKER_TABLE}")
    row = cur.fetchone()
    if not row:
        return None
    return dict(zip(["scale", "seed", "cases", "events", "parties_from", "parties_to", "seconds"], row, strict=True))


def _clear(cur, marker: dict | None) -> None:
    cur.execute("TRUNCATE cases_caseevent, cases_casematerial, cases_coreview, cases_casecounter, cases_case "
                "RESTART IDENTITY CASCADE")
    cur.execute("DELETE FROM core_timer WHERE kind LIKE 'case.%%'")
    cur.execute("TRUNCATE core_outboxmessage")
    if marker:
        cur.execute("DELETE FROM parties_party WHERE id BETWEEN %s AND %s", (marker["parties_from"], marker["parties_to"]))
    cur.execute(f"DELETE FROM {MARKER_TABLE}")


# ---------------------------------------------------------------- parties


def _id_number(region: str, birth: date, seq: int) -> str:
    from stdnum.cn import ric

    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + ric.calc_check_digit(first17)


def _uscc(region: str, i: int) -> str:
    from stdnum.cn import uscc

    body = f"{(i * 7919 + 1234567) % 10**8:08d}"
    weights = [3, 7, 9, 10, 5, 8, 4, 2]
    c = 11 - sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11
    org = body + {10: "X", 11: "0"}.get(c, str(c))
    first17 = f"91{region}{org}"
    return first17 + uscc.calc_check_digit(first17)


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰建华文斌海燕"
TRADES = ["科技", "餐饮", "商贸", "建材", "农业", "物流", "医药", "电子", "机械", "文化", "旅游", "环保"]


def make_parties(cur, rng: random.Random, n: int, regions: list[str], parks: list[int]) -> tuple[int, int, list]:
    """n parties (70 % persons, 30 % enterprises, a third of those in a park) by COPY. Returns the
    id range and [(id, kind, park_id)]."""
    cur.execute("SELECT COALESCE(MAX(id), 0) FROM parties_party")
    first = cur.fetchone()[0] + 1
    cur.execute("SELECT number FROM parties_party")
    taken = {r[0] for r in cur.fetchall()}
    now = datetime.now(ZoneInfo("Asia/Shanghai"))
    out = []
    pid = first
    with cur.copy("COPY parties_party (id, kind, number, name, region_id, park_id, phone, address, "
                  "legal_representative, industry, size, flags, employees, revenue, tax_paid, registered_case, created_at) "
                  "FROM STDIN") as copy:
        for i in range(n):
            region = regions[i % len(regions)]
            if rng.random() < 0.7:
                birth = date(1950, 1, 1) + timedelta(days=(i * 37) % 20000)
                number = _id_number(region, birth, (i // 20000) % 999 + 1)
                name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
                kind, park, row_extra = "person", None, ("", "", "", "[]", None, None, None)
            else:
                number = _uscc(region, i)
                trade = rng.choice(TRADES)
                name = f"湘潭{rng.choice(SURNAMES)}{rng.choice(GIVEN)}{trade}有限公司"
                park = rng.choice(parks) if parks and rng.random() < 0.33 else None
                kind = "enterprise"
                row_extra = (rng.choice(SURNAMES) + rng.choice(GIVEN), trade, rng.choice(["微型", "小型", "中型"]),
                             "[]", rng.randrange(3, 500), None, None)
            if number in taken:
                continue
            taken.add(number)
            copy.write_row((pid, kind, number, name, region, park, f"138{rng.randrange(10**8):08d}", "", *row_extra,
                            "", now))
            out.append((pid, kind, park))
            pid += 1
    cur.execute("SELECT setval(pg_get_serial_sequence('parties_party', 'id'), (SELECT MAX(id) FROM parties_party))")
    return first, pid - 1, out


# ---------------------------------------------------------------- cases


class Catalogue:
    """What the generator needs of each implementation, read once."""

    def __init__(self):
        from yiwang.catalogue.models import ItemImplementation
        from yiwang.catalogue.selectors import route_for
        from yiwang.catalogue.services import default_steps
        from yiwang.organisations.models import Role, Staff, Unit

        self.units = {u.code: u.id for u in Unit.objects.all()}
        self.region_of = {u.id: u.region_id for u in Unit.objects.all()}
        park_codes = {u.id: u.code for u in Unit.objects.filter(kind="park")}
        self.impls = []
        for impl in ItemImplementation.objects.filter(active=True).select_related("item", "department"):
            item = impl.item
            steps = [s.name for s in item.steps.all()] or default_steps(item)
            routes = {}
            for park_id in [None, *park_codes]:
                r = route_for(impl=impl, park_code=park_codes.get(park_id), on=date.today())
                routes[park_id] = (r.mode, self.units[r.receiving_unit], self.units[r.reviewing_unit],
                                   self.units[r.deciding_unit], self.units[r.in_name_of])
            self.impls.append({
                "id": impl.id, "code": impl.impl_code, "region": impl.region_id, "name": impl.name,
                "instant": item.mode == "instant" or item.promised_days == 0,
                "statutory": item.statutory_days, "promised": item.promised_days,
                "commitment": item.commitment_allowed, "post_check_days": item.post_check_days,
                "deemed": item.deemed_approval_allowed, "object": item.service_object or "",
                "steps": steps, "form": {f: "示例" for f in (item.form_fields or [])}, "routes": routes,
            })
        if not self.impls:
            raise SkipFigure("no item implementations: load the demo catalogue first")
        # the one account that acts for each unit (the demo gives every unit one: its code in lower case)
        self.actor = {}
        for s in Staff.objects.filter(role__in=[Role.APPROVER, Role.DEPARTMENT_HEAD, Role.WINDOW_CLERK]):
            self.actor.setdefault(s.unit_id, s.user_id)
        self.parks = list(park_codes)


def generate_cases(cur, rng: random.Random, n: int, cat: Catalogue, parties: list, today: date) -> dict:
    from yiwang.cases import clock
    from yiwang.workcalendar.index import get_index

    idx = get_index()

    def wd(d: date, k: int) -> date:
        return idx.add_working_days(d, k).date if k > 0 else d

    def add_fn(d, k):
        return idx.add_working_days(d, k)

    tz = ZoneInfo("Asia/Shanghai")
    start_ord = (today - timedelta(days=SPAN_DAYS)).toordinal()
    cur.execute("SELECT COALESCE(MAX(id), 0) FROM cases_case")
    case_id = cur.fetchone()[0]
    # weights: a few items take most of the volume, as in a real hall
    weights = [rng.paretovariate(1.2) for _ in cat.impls]
    persons = [p for p in parties if p[1] == "person"]
    enterprises = [p for p in parties if p[1] == "enterprise"]
    counters: dict[tuple[str, date], int] = defaultdict(int)
    stats = defaultdict(int)
    timers: list[tuple] = []
    n_events = 0
    RUNNING = ("accepted", "in_review", "paused")

    case_cols = ("id, number, implementation_id, parent_id, applicant_id, agent_id, agent_authorisation, "
                 "submitted_by_id, channel, status, route_mode, receiving_unit_id, reviewing_unit_id, "
                 "deciding_unit_id, in_name_of_id, region_id, form, submitted_at, received_on, correction_count, "
                 "accepted_on, statutory_days, promised_days, deadline, deadline_provisional, paused, pauses, "
                 "paused_days, extension_days, extended, due_state, current_step, steps, missing_materials, "
                 "supply_due, supply_overdue, commitment, post_check_due, post_check_pending, decision, decided_at, "
                 "decided_on, decision_reason, deemed, delivery_due, delivery_overdue, delivered_at, "
                 "delivery_method, version, updated_at")
    # Columns other apps add to Case later (a bundle link, 无证明's shared materials) get their default.
    extra_cols, extra_values = _extra_columns(case_cols)
    case_cols += "".join(f", {c}" for c in extra_cols)
    event_cols = ("case_id, seq, action, from_status, to_status, actor_id, actor_kind, actor_unit_id, at, \"on\", "
                  "reason, data, deadline")

    done = 0
    while done < n:
        m = min(CHUNK, n - done)
        case_rows, event_rows = [], []
        impl_picks = rng.choices(cat.impls, weights=weights, k=m)
        for impl in impl_picks:
            case_id += 1
            pool = enterprises if impl["object"] == "enterprise" else persons if impl["object"] == "person" else parties
            party_id, _, park = rng.choice(pool or parties)
            mode, recv, rev, dec, name_of = impl["routes"].get(park, impl["routes"][None])
            sub = wd(date.fromordinal(start_ord + rng.randrange(SPAN_DAYS)) - timedelta(days=1), 1)
            if sub > today:
                sub = wd(today - timedelta(days=7), 1)
            channel = "online" if rng.random() < 0.6 else ("window" if rng.random() < 0.92 else "agent")
            clerk = cat.actor.get(recv)
            decider = cat.actor.get(dec)
            reviewer = cat.actor.get(rev)
            minute = [rng.randrange(8 * 60 + 30, 16 * 60)]

            # the timeline: (day, action, from, to, actor, actor_kind, unit, reason, data)
            tl: list[tuple] = []
            status = "submitted"

            def ev(day, action, to, actor, kind, unit=None, reason="", data=None, tl=tl):
                nonlocal status
                tl.append((day, action, status, to if to != "=" else status, actor, kind, unit, reason, data or {}))
                if to != "=":
                    status = to

            ev(sub, "submit", "submitted", None if channel != "window" else clerk,
               "intake" if channel == "window" else "applicant", recv if channel == "window" else None,
               data={"channel": channel, "route": mode})
            received = sub
            accepted = None
            pauses: list[list] = []
            extension = 0
            commitment = False
            decision = ""
            decided_on = None
            delivered_on = None
            post_check_due = None
            r = rng.random()
            if r < 0.015:
                ev(wd(sub, rng.randrange(0, 3)), "refuse", "refused", clerk, "intake", recv, "申请事项依法不属于本机关职权范围")
            elif r < 0.035:
                ev(wd(sub, rng.randrange(0, 4)), "withdraw", "withdrawn", None, "applicant", reason="申请人主动撤回")
            else:
                corrected_ok = True
                if rng.random() < 0.08:
                    c_day = wd(sub, rng.randrange(0, 4))
                    ev(c_day, "request_correction", "correction_requested", clerk, "intake", recv,
                       "材料不齐全：请补正营业执照复印件")
                    if rng.random() < 0.1:
                        corrected_ok = False
                        ev(wd(c_day, 30), "withdraw", "withdrawn", None, "applicant", reason="逾期未补正，申请人撤回")
                    else:
                        received = wd(c_day, rng.randrange(1, 8))
                        ev(received, "resubmit", "submitted", None, "applicant")
                if corrected_ok:
                    if rng.random() < 0.01:
                        accepted = clock.deemed_acceptance_day(received, add=add_fn)
                        ev(wd(accepted, 1), "deemed_accept", "accepted", None, "system",
                           data={"accepted_on": received.isoformat()})
                        accepted = received
                    else:
                        accepted = received if channel == "window" else wd(received, rng.randrange(0, 3))
                        ev(accepted, "accept", "accepted", clerk, "intake", recv,
                           data={"accepted_on": accepted.isoformat()})
                    steps_n = len(impl["steps"])
                    if impl["instant"]:
                        decided_on, decision = accepted, "approved"
                        ev(accepted, "decide_on_acceptance", "approved", clerk, "intake", recv)
                    elif impl["commitment"] and rng.random() < 0.3:
                        commitment = True
                        decided_on, decision = accepted, "approved"
                        ev(accepted, "decide_on_acceptance", "approved", decider, "decider", dec)
                        post_check_due = wd(accepted, impl["post_check_days"])
                    else:
                        total = impl["promised"]
                        stuck = rng.random() < 0.005
                        late = rng.random() < 0.03
                        k = total + rng.randrange(1, 6) if late else max(1, round(total * rng.uniform(0.2, 1.0)))
                        cursor = accepted
                        used = 0
                        if steps_n >= 3 and k >= 2:
                            used = rng.randrange(1, k)
                            cursor = wd(accepted, used)
                            ev(cursor, "review", "in_review", reviewer, "reviewer", rev, data={"step": impl["steps"][1]})
                        if rng.random() < 0.05 and k - used >= 2:
                            p0 = wd(cursor, 1)
                            used += 1
                            ev(p0, "pause", "paused", reviewer, "reviewer", rev, "组织专家评审",
                               data={"procedure": "专家评审"})
                            p1 = wd(p0, rng.randrange(3, 16))
                            pauses.append([p0.isoformat(), None, "专家评审"])
                            pauses[-1][1] = p1.isoformat()  # the cut at today may reopen it
                            ev(p1, "resume", "in_review", reviewer, "reviewer", rev)
                            cursor = p1
                        if rng.random() < 0.03:
                            extension = rng.randrange(5, 11)
                            e_day = wd(cursor, 1)
                            ev(e_day, "extend", "=", decider, "head", dec, "现场核查需要，依法延长办理期限",
                               data={"days": extension})
                            cursor = e_day
                            if late:
                                k = total + extension + rng.randrange(1, 6)
                        if not stuck:
                            paused_days = sum(idx.working_days_between(date.fromisoformat(a), date.fromisoformat(b)).days
                                              for a, b, _ in pauses)
                            decided_on = max(cursor, wd(accepted, k + paused_days))
                            if rng.random() < 0.04:
                                decision = "denied"
                                ev(decided_on, "deny", "denied", decider, "decider", dec, "申请人不符合法定条件")
                            else:
                                decision = "approved"
                                ev(decided_on, "approve", "approved", decider, "decider", dec)
                    if decided_on is not None:
                        delivered_on = wd(decided_on, rng.randrange(11, 14) if rng.random() < 0.01
                                          else (0 if impl["instant"] else rng.randrange(0, 4)))
                        ev(delivered_on, "deliver", "delivered", clerk, "intake", recv,
                           data={"method": "window" if channel == "window" else "electronic"})
                        if commitment:
                            if rng.random() < 0.02:
                                ev(post_check_due, "post_check_fail", "revoked", decider, "decider", dec,
                                   "经核查，申请人承诺内容与实际不符")
                            else:
                                ev(post_check_due, "post_check_pass", "closed", decider, "decider", dec)

            # cut at today: what has happened so far
            kept = [e for e in tl if e[0] <= today]
            status = kept[-1][3]
            acts = {e[1] for e in kept}
            acc_on = accepted if ("accept" in acts or "deemed_accept" in acts) else None
            ext = extension if "extend" in acts else 0
            kp = []
            for p in pauses:
                if date.fromisoformat(p[0]) <= today:
                    kp.append([p[0], p[1] if p[1] and date.fromisoformat(p[1]) <= today else None, p[2]])
            h = clock.ClockHistory(accepted_on=acc_on, promised_days=impl["promised"], extension_days=ext,
                                   pauses=[(date.fromisoformat(a), date.fromisoformat(b) if b else None)
                                           for a, b, _ in kp])
            dl = clock.deadline_from_history(h, add=add_fn, between=idx.working_days_between)
            is_paused = bool(kp) and kp[-1][1] is None
            due_state = ""
            if status in RUNNING:
                due_state = clock.due_state(deadline=dl.date, today=today, paused=is_paused, near_days=1,
                                            between=idx.working_days_between)
            dec_kept = decision if any(e[1] in ("approve", "deny", "decide_on_acceptance") for e in kept) else ""
            dec_on = decided_on if dec_kept else None
            delivery_due = clock.delivery_due(dec_on, add=add_fn) if dec_on else None
            delivered = "deliver" in acts
            day_key = (impl["code"], sub)
            counters[day_key] += 1
            number = f"{impl['code']}{sub:%Y%m%d}{counters[day_key]:04d}"
            steps_done = 0 if acc_on is None else 1 + sum(1 for e in kept if e[1] == "review")
            if dec_kept:
                steps_done = len(impl["steps"])

            def at(day: date, minute=minute) -> datetime:
                minute[0] = min(minute[0] + rng.randrange(1, 30), 17 * 60 + 29)
                return datetime.combine(day, dtime(minute[0] // 60, minute[0] % 60), tzinfo=tz)

            deadline_now = None
            ats = []
            for seq, (day, action, frm, to, actor, kind, unit, reason, data) in enumerate(kept, start=1):
                if action in ("accept", "deemed_accept", "extend", "resume", "pause"):
                    hh = clock.ClockHistory(
                        accepted_on=acc_on, promised_days=impl["promised"],
                        extension_days=ext if seq >= next((i for i, e in enumerate(kept, 1) if e[1] == "extend"),
                                                          10**6) else 0,
                        pauses=[(date.fromisoformat(a), date.fromisoformat(b) if b and date.fromisoformat(b) <= day
                                 else None) for a, b, _ in kp if date.fromisoformat(a) <= day])
                    deadline_now = clock.deadline_from_history(hh, add=add_fn, between=idx.working_days_between).date
                t = at(day)
                ats.append(t)
                event_rows.append((case_id, seq, action, frm, to, actor, kind, unit, t, day, reason,
                                   json.dumps(data, ensure_ascii=False), deadline_now))
            n_events += len(kept)
            stats[status] += 1
            if due_state:
                stats["due_" + due_state] += 1
            if ext:
                stats["extended"] += 1
            if is_paused:
                stats["paused_now"] += 1
            post_pending = commitment and status in ("approved", "delivered")
            case_rows.append((
                case_id, number, impl["id"], None, party_id, None, "", None, channel, status, mode, recv, rev, dec,
                name_of, impl["region"], json.dumps(impl["form"], ensure_ascii=False), ats[0], received
                if received <= today else sub, 1 if "request_correction" in acts else 0, acc_on, impl["statutory"],
                impl["promised"], dl.date, dl.provisional, is_paused, json.dumps(kp, ensure_ascii=False),
                dl.paused_days, ext, bool(ext), due_state, steps_done, json.dumps(impl["steps"], ensure_ascii=False),
                "[]", None, False, commitment, post_check_due if commitment else None, post_pending, dec_kept,
                ats[[e[1] for e in kept].index(next(a for a in ("approve", "deny", "decide_on_acceptance")
                                                    if a in acts))] if dec_kept else None,
                dec_on, "申请人不符合法定条件" if dec_kept == "denied" else "", "deemed_acceptance"
                if "deemed_accept" in acts else "", delivery_due,
                bool(delivery_due and not delivered and today > delivery_due), ats[-1] if delivered else None,
                ("window" if channel == "window" else "electronic") if delivered else "", len(kept), ats[-1],
                *extra_values,
            ))
            # the timers the engine would have pending
            if status == "submitted":
                timers.append(("case.deemed_acceptance", number,
                               clock.midnight_after(clock.deemed_acceptance_day(received, add=add_fn))))
            elif status in RUNNING and impl["deemed"] and dl.date:
                timers.append(("case.deemed_approval", number, clock.midnight_after(dl.date)))
            elif status in ("approved", "denied") and delivery_due:
                timers.append(("case.delivery_limit", number, clock.midnight_after(delivery_due)))
            if post_pending and post_check_due:
                timers.append(("case.post_check", number, clock.midnight_after(post_check_due)))
        with cur.copy(f"COPY cases_case ({case_cols}) FROM STDIN") as copy:
            for row in case_rows:
                copy.write_row(row)
        with cur.copy(f"COPY cases_caseevent ({event_cols}) FROM STDIN") as copy:
            for row in event_rows:
                copy.write_row(row)
        done += m
    now = datetime.now(tz)
    with cur.copy("COPY core_timer (kind, key, due_at, payload, created_at, attempts, last_error) FROM STDIN") as copy:
        for kind, key, due in timers:
            copy.write_row((kind, key, due, "{}", now, 0, ""))
    with cur.copy("COPY cases_casecounter (impl_code, day, last) FROM STDIN") as copy:
        for (code, day), last in counters.items():
            copy.write_row((code, day, last))
    cur.execute("SELECT setval(pg_get_serial_sequence('cases_case', 'id'), (SELECT MAX(id) FROM cases_case))")
    stats["timers"] = len(timers)
    return {"events": n_events, "statuses": dict(sorted(stats.items()))}


def generate(ctx, *, scale: int, seed: int) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from yiwang.organisations.models import Region

    try:
        from yiwang.cases import clock  # noqa: F401
        from yiwang.cases.models import Case  # noqa: F401
    except ImportError as exc:
        raise SkipFigure(f"the case engine is not there yet ({exc})")
    rng = random.Random(seed)
    today = timezone.localdate()
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as c:
        cur = c.cursor  # psycopg's own cursor, for COPY
        marker = _marker(cur)
        _clear(cur, marker)
        cat = Catalogue()
        regions = list(Region.objects.filter(code__regex=r"^\d{4}(0[1-9]|[1-9]\d)$").values_list("code", flat=True))
        regions = regions or ["430321"]
        n_parties = max(500, scale // 5)
        p_first, p_last, parties = make_parties(cur, rng, n_parties, regions, cat.parks)
        t_parties = time.perf_counter() - t0
        ctx.log(f"{len(parties):,} parties in {t_parties:.1f} s")
        out = generate_cases(cur, rng, scale, cat, parties, today)
        seconds = time.perf_counter() - t0
        cur.execute(f"INSERT INTO {MARKER_TABLE} VALUES (%s, %s, %s, %s, %s, %s, %s, now())",
                    (scale, seed, scale, out["events"], p_first, p_last, seconds))
    t1 = time.perf_counter()
    with connection.cursor() as c:
        c.execute("ANALYZE cases_case; ANALYZE cases_caseevent; ANALYZE core_timer; ANALYZE parties_party")
    return {"parties": len(parties), "cases": scale, **out, "seconds": round(time.perf_counter() - t0, 1),
            "seconds_parties": round(t_parties, 1), "seconds_analyze": round(time.perf_counter() - t1, 1),
            "today": today.isoformat()}


def run(ctx) -> list[Figure]:
    from django.db import connection

    with connection.cursor() as c:
        marker = _marker(c.cursor)
        c.execute("SELECT count(*) FROM cases_case") if marker else None
        have = c.fetchone()[0] if marker else 0
    if marker and marker["scale"] == ctx.scale and marker["seed"] == ctx.seed and have >= marker["cases"] \
            and not ctx.regenerate:
        ctx.log(f"reusing the data set: {marker['cases']:,} cases, {marker['events']:,} events "
                f"(generated in {marker['seconds']:.0f} s; --regenerate to make it again)")
        info = {"reused": True, **marker}
        rate_ = marker["cases"] / marker["seconds"]
    else:
        ctx.log(f"generating {ctx.scale:,} cases (seed {ctx.seed})")
        info = generate(ctx, scale=ctx.scale, seed=ctx.seed)
        rate_ = ctx.scale / info["seconds"]
        ctx.log(f"{info['cases']:,} cases, {info['events']:,} events in {info['seconds']} s: {info['statuses']}")
    ctx.shared["data"] = info
    return [Figure(key="0_data", title="数据生成（COPY）", value=round(rate_), unit="cases/s",
                   target="1 M cases in minutes", met=(1_000_000 / rate_) < 15 * 60, detail=info)]
