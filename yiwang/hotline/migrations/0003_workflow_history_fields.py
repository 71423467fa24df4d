"""The one engine (issue 9): requests get a version and the clock starts they were missing; their
events get the event base's columns (filled by 0004, made strict by 0005)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("hotline", "0002_sign_overdue_attachment_kind"),
    ]

    operations = [
        migrations.AddField(
            model_name="request", name="version",
            field=models.PositiveIntegerField(default=0, verbose_name="版本"),
        ),
        migrations.AddField(
            model_name="request", name="deadline_from",
            field=models.DateTimeField(blank=True, null=True, verbose_name="办理时限起算"),
        ),
        migrations.AddField(
            model_name="request", name="dispatched_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="派单时间"),
        ),
        migrations.AlterField(
            model_name="request", name="deadline_provisional",
            field=models.BooleanField(default=False, verbose_name="期限为暂定"),
        ),
        migrations.RenameField(model_name="requestevent", old_name="note", new_name="reason"),
        migrations.AddField(
            model_name="requestevent", name="seq",
            field=models.PositiveIntegerField(null=True, verbose_name="序号"),
        ),
        migrations.AddField(
            model_name="requestevent", name="actor_kind",
            field=models.CharField(default="", max_length=16, verbose_name="身份"),
        ),
        migrations.AddField(
            model_name="requestevent", name="on",
            field=models.DateField(null=True, verbose_name="业务日期"),
        ),
        migrations.AddField(
            model_name="requestevent", name="deadline",
            field=models.DateField(blank=True, null=True, verbose_name="此后期限"),
        ),
        migrations.AlterField(
            model_name="requestevent", name="at", field=models.DateTimeField(verbose_name="时间"),
        ),
        migrations.AlterField(
            model_name="requestevent", name="from_status",
            field=models.CharField(blank=True, default="", max_length=24, verbose_name="原状态"),
        ),
        migrations.AlterField(
            model_name="requestevent", name="to_status",
            field=models.CharField(blank=True, default="", max_length=24, verbose_name="新状态"),
        ),
    ]
