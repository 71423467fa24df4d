"""History is append-only and outlives nothing: PROTECT instead of CASCADE / SET_NULL, seq unique."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("hotline", "0004_workflow_history_fill"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="requestevent", name="action", field=models.CharField(max_length=32, verbose_name="动作"),
        ),
        migrations.AlterField(
            model_name="requestevent", name="seq", field=models.PositiveIntegerField(verbose_name="序号"),
        ),
        migrations.AlterField(
            model_name="requestevent", name="on", field=models.DateField(verbose_name="业务日期"),
        ),
        migrations.AlterField(
            model_name="requestevent", name="actor_kind",
            field=models.CharField(max_length=16, verbose_name="身份"),
        ),
        migrations.AlterField(
            model_name="requestevent", name="reason",
            field=models.TextField(blank=True, default="", verbose_name="理由"),
        ),
        migrations.AlterField(
            model_name="requestevent", name="to_status",
            field=models.CharField(max_length=24, verbose_name="新状态"),
        ),
        migrations.AlterField(
            model_name="requestevent", name="request",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="events",
                                    to="hotline.request"),
        ),
        migrations.AlterField(
            model_name="requestevent", name="actor",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name="requestevent", name="unit",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="organisations.unit"),
        ),
        migrations.AlterModelOptions(
            name="requestevent",
            options={"ordering": ["request_id", "seq"], "verbose_name": "工单办理记录",
                     "verbose_name_plural": "工单办理记录"},
        ),
        migrations.AddConstraint(
            model_name="requestevent",
            constraint=models.UniqueConstraint(fields=("request", "seq"), name="hotline_event_seq_unique"),
        ),
    ]
