"""Existing events become history rows of the engine: seq by their order, the business date from
their time, from/to statuses where a flag left them empty, the actor's kind, and the three names
the visit and the item closing had (now one action each). Each request's version is its event count."""

from zoneinfo import ZoneInfo

from django.db import migrations

TZ = ZoneInfo("Asia/Shanghai")
RENAMED = {"item_closed": "close_item", "visit_satisfied": "visit", "reopen": "visit"}
KIND_OF = {
    **dict.fromkeys(["near_due", "overdue", "sign_overdue", "merged_in", "calendar_moved"], "system"),
    **dict.fromkeys(["dispatch", "dispute", "assign", "answer", "merge", "escalate", "visit_satisfied",
                     "reopen"], "operator"),
    **dict.fromkeys(["sign", "return", "reply"], "unit"),
    **dict.fromkeys(["arbitrate", "coordinate", "conclude"], "supervisor"),
}


def _kind(ev, hotline_users) -> str:
    if ev.action in KIND_OF:
        return KIND_OF[ev.action]
    if ev.actor_id is None:
        return "requester" if ev.action in ("create", "attach") else "system"
    if ev.actor_id in hotline_users:
        return "operator"
    return "unit"


def _fill(req, Event, hotline_users) -> dict:
    status, seq, reopened, dispatched = "", 0, None, None
    for ev in Event.objects.filter(request_id=req.pk).order_by("at", "id"):
        seq += 1
        if not ev.to_status:  # a flag or a record: the status stayed
            ev.from_status, ev.to_status = status, status
        status = ev.to_status
        if ev.action == "reopen":
            reopened = ev.at
        if ev.action == "dispatch":
            dispatched = ev.at
        ev.seq, ev.on, ev.actor_kind = seq, ev.at.astimezone(TZ).date(), _kind(ev, hotline_users)
        ev.action = RENAMED.get(ev.action, ev.action)
        ev.save(update_fields=["seq", "on", "actor_kind", "action", "from_status", "to_status"])
    return {"version": seq, "deadline_from": reopened or req.received_at,
            "dispatched_at": dispatched if req.status == "dispatched" else None}


def forwards(apps, schema_editor):
    Request = apps.get_model("hotline", "Request")
    Event = apps.get_model("hotline", "RequestEvent")
    Staff = apps.get_model("organisations", "Staff")
    hotline_users = set(Staff.objects.filter(role__in=["hotline_operator", "supervisor"])
                        .values_list("user_id", flat=True))
    for req in Request.objects.order_by("pk").iterator():
        Request.objects.filter(pk=req.pk).update(**_fill(req, Event, hotline_users))


class Migration(migrations.Migration):

    dependencies = [
        ("hotline", "0003_workflow_history_fields"),
        ("organisations", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
