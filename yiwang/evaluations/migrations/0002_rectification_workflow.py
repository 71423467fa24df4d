"""Rectifications on the one workflow engine.

- RectificationEvent (the engine's event shape, PROTECT): the rectification_* rows that were kept on
  the evaluation move here, numbered 1..n per rectification (the opening becomes action "open");
  Rectification.version = how many there are.
- EvaluationEvent keeps the slot's own events (invited, rated, defaulted) in the same shape: kind →
  action, note → reason, seq numbered per slot, from/to status, actor kind, business date; PROTECT
  instead of CASCADE, and `at` no longer stamped by the database clock.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

SUPERVISOR_ACTIONS = {"uphold", "void"}
SLOT_MOVES = {"invited": ("", "invited"), "rated": ("invited", "rated"), "defaulted": ("invited", "defaulted")}


def _rect_rows(rect, old_rows, RectificationEvent):
    status, seq, out = "open", 0, []
    rows = sorted(old_rows, key=lambda e: (e.at, e.pk))
    if not rows or rows[0].action != "rectification_opened":
        seq += 1  # no opening recorded: one says when it opened
        out.append(RectificationEvent(rectification_id=rect.pk, seq=seq, action="open", to_status="open",
                                      actor_kind="system", at=rect.created_at, on=timezone.localdate(rect.created_at)))
    for e in rows:
        name = e.action.removeprefix("rectification_")
        data = {k: v for k, v in e.data.items() if k not in ("rectification", "from_status", "to_status", "unit")}
        if name == "opened":
            name, before, status = "open", "", "open"
            rect.deadline_provisional = bool(e.data.get("provisional"))
        else:
            before, status = status, e.data.get("to_status", status)
        seq += 1
        kind = "system" if e.actor_id is None else ("supervisor" if name in SUPERVISOR_ACTIONS else "handler")
        out.append(RectificationEvent(rectification_id=rect.pk, seq=seq, action=name, from_status=before,
                                      to_status=status, actor_id=e.actor_id, actor_kind=kind, at=e.at,
                                      on=timezone.localdate(e.at), reason=e.reason, data=data))
    return out


def forwards(apps, schema_editor):
    Rectification = apps.get_model("evaluations", "Rectification")
    EvaluationEvent = apps.get_model("evaluations", "EvaluationEvent")
    RectificationEvent = apps.get_model("evaluations", "RectificationEvent")
    for rect in list(Rectification.objects.all()):
        old = [e for e in EvaluationEvent.objects.filter(evaluation_id=rect.evaluation_id,
                                                         action__startswith="rectification_")
               if e.data.get("rectification") == rect.pk]
        rows = RectificationEvent.objects.bulk_create(_rect_rows(rect, old, RectificationEvent))
        rect.version = len(rows)
        rect.save(update_fields=["version", "deadline_provisional"])
        EvaluationEvent.objects.filter(pk__in=[e.pk for e in old]).delete()
    seqs: dict[int, int] = {}
    # (lists, not iterators: SQLite does not isolate a read from writes to the same table)
    for e in list(EvaluationEvent.objects.select_related("evaluation").order_by("evaluation_id", "at", "id")):
        seqs[e.evaluation_id] = seqs.get(e.evaluation_id, 0) + 1
        before, after = SLOT_MOVES.get(e.action, ("", e.evaluation.status))
        EvaluationEvent.objects.filter(pk=e.pk).update(
            seq=seqs[e.evaluation_id], from_status=before, to_status=after, on=timezone.localdate(e.at),
            actor_kind="rater" if e.action == "rated" else "system")


class Migration(migrations.Migration):

    dependencies = [
        ("evaluations", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="RectificationEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("seq", models.PositiveIntegerField(verbose_name="序号")),
                ("action", models.CharField(max_length=32, verbose_name="动作")),
                ("from_status", models.CharField(blank=True, default="", max_length=24, verbose_name="原状态")),
                ("to_status", models.CharField(max_length=24, verbose_name="新状态")),
                ("actor_kind", models.CharField(max_length=16, verbose_name="身份")),
                ("at", models.DateTimeField(verbose_name="时间")),
                ("on", models.DateField(verbose_name="业务日期")),
                ("reason", models.TextField(blank=True, default="", verbose_name="理由")),
                ("data", models.JSONField(blank=True, default=dict)),
                ("deadline", models.DateField(blank=True, null=True, verbose_name="此后期限")),
                ("actor", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                            related_name="+", to=settings.AUTH_USER_MODEL)),
                ("rectification", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                                    related_name="events", to="evaluations.rectification")),
            ],
            options={"ordering": ["seq"]},
        ),
        migrations.AddConstraint(
            model_name="rectificationevent",
            constraint=models.UniqueConstraint(fields=("rectification", "seq"), name="rectification_event_unique_seq"),
        ),
        migrations.AddField(model_name="rectification", name="contact_days",
                            field=models.PositiveSmallIntegerField(blank=True, null=True,
                                                                   verbose_name="回访时限（工作日）")),
        migrations.AddField(model_name="rectification", name="fix_days",
                            field=models.PositiveSmallIntegerField(blank=True, null=True,
                                                                   verbose_name="整改时限（工作日）")),
        migrations.AddField(model_name="rectification", name="deadline_provisional",
                            field=models.BooleanField(default=False, verbose_name="期限为暂定")),
        migrations.AddField(model_name="rectification", name="version",
                            field=models.PositiveIntegerField(default=1, verbose_name="记录版本")),
        migrations.RenameField(model_name="evaluationevent", old_name="kind", new_name="action"),
        migrations.RenameField(model_name="evaluationevent", old_name="note", new_name="reason"),
        migrations.AddField(model_name="evaluationevent", name="seq",
                            field=models.PositiveIntegerField(null=True, verbose_name="序号")),
        migrations.AddField(model_name="evaluationevent", name="from_status",
                            field=models.CharField(blank=True, default="", max_length=24, verbose_name="原状态")),
        migrations.AddField(model_name="evaluationevent", name="to_status",
                            field=models.CharField(default="", max_length=24, verbose_name="新状态")),
        migrations.AddField(model_name="evaluationevent", name="actor_kind",
                            field=models.CharField(default="system", max_length=16, verbose_name="身份")),
        migrations.AddField(model_name="evaluationevent", name="on",
                            field=models.DateField(null=True, verbose_name="业务日期")),
        migrations.AddField(model_name="evaluationevent", name="deadline",
                            field=models.DateField(blank=True, null=True, verbose_name="此后期限")),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.AlterField(model_name="evaluationevent", name="seq",
                              field=models.PositiveIntegerField(verbose_name="序号")),
        migrations.AlterField(model_name="evaluationevent", name="to_status",
                              field=models.CharField(max_length=24, verbose_name="新状态")),
        migrations.AlterField(model_name="evaluationevent", name="actor_kind",
                              field=models.CharField(max_length=16, verbose_name="身份")),
        migrations.AlterField(model_name="evaluationevent", name="on",
                              field=models.DateField(verbose_name="业务日期")),
        migrations.AlterField(model_name="evaluationevent", name="action",
                              field=models.CharField(max_length=32, verbose_name="动作")),
        migrations.AlterField(model_name="evaluationevent", name="reason",
                              field=models.TextField(blank=True, default="", verbose_name="理由")),
        migrations.AlterField(model_name="evaluationevent", name="at",
                              field=models.DateTimeField(verbose_name="时间")),
        migrations.AlterField(
            model_name="evaluationevent", name="actor",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to=settings.AUTH_USER_MODEL)),
        migrations.AlterField(
            model_name="evaluationevent", name="evaluation",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="events",
                                    to="evaluations.evaluation")),
        migrations.AlterModelOptions(name="evaluationevent", options={"ordering": ["at", "seq"]}),
        migrations.AddConstraint(
            model_name="evaluationevent",
            constraint=models.UniqueConstraint(fields=("evaluation", "seq"), name="evaluation_event_unique_seq"),
        ),
    ]
