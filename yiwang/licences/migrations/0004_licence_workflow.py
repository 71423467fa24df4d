"""Licences on the one workflow engine: LicenceEvent takes the engine's event shape (kind → action,
actor PROTECT, actor kind, business date, data, deadline) and Licence a lock_version (= the seq of
its last event).

Existing rows keep their chain: the hash and signature cover identifier, seq, kind (now `action`,
same values), from, to, reason, at and prev_hash — none of which change here — so every issued
licence still verifies.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone


def fill(apps, schema_editor):
    Licence = apps.get_model("licences", "Licence")
    LicenceEvent = apps.get_model("licences", "LicenceEvent")
    counts = (LicenceEvent.objects.filter(licence=OuterRef("pk")).order_by().values("licence")
              .annotate(n=Count("id")).values("n"))
    Licence.objects.update(lock_version=Subquery(counts))
    Licence.objects.filter(lock_version__isnull=True).update(lock_version=1)
    for event in LicenceEvent.objects.only("id", "at", "actor_id").iterator():
        LicenceEvent.objects.filter(pk=event.pk).update(
            on=timezone.localdate(event.at), actor_kind="system" if event.actor_id is None else "issuer")


class Migration(migrations.Migration):

    dependencies = [
        ("licences", "0003_licence_holder_type_newest"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(model_name="licenceevent", old_name="kind", new_name="action"),
        migrations.AlterField(model_name="licenceevent", name="action",
                              field=models.CharField(max_length=32, verbose_name="动作")),
        migrations.AddField(model_name="licence", name="lock_version",
                            field=models.PositiveIntegerField(null=True, verbose_name="记录版本")),
        migrations.AddField(model_name="licenceevent", name="actor_kind",
                            field=models.CharField(default="system", max_length=16, verbose_name="身份")),
        migrations.AddField(model_name="licenceevent", name="data",
                            field=models.JSONField(blank=True, default=dict)),
        migrations.AddField(model_name="licenceevent", name="deadline",
                            field=models.DateField(blank=True, null=True, verbose_name="此后期限")),
        migrations.AddField(model_name="licenceevent", name="on",
                            field=models.DateField(null=True, verbose_name="业务日期")),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(model_name="licence", name="lock_version",
                              field=models.PositiveIntegerField(default=1, verbose_name="记录版本")),
        migrations.AlterField(model_name="licenceevent", name="actor_kind",
                              field=models.CharField(max_length=16, verbose_name="身份")),
        migrations.AlterField(model_name="licenceevent", name="on",
                              field=models.DateField(verbose_name="业务日期")),
        migrations.AlterField(
            model_name="licenceevent", name="actor",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to=settings.AUTH_USER_MODEL)),
        migrations.AlterField(model_name="licenceevent", name="from_status",
                              field=models.CharField(blank=True, default="", max_length=24, verbose_name="原状态")),
        migrations.AlterField(model_name="licenceevent", name="reason",
                              field=models.TextField(blank=True, default="", verbose_name="理由")),
        migrations.AlterField(model_name="licenceevent", name="to_status",
                              field=models.CharField(max_length=24, verbose_name="新状态")),
        migrations.AlterField(model_name="licenceevent", name="seq",
                              field=models.PositiveIntegerField(verbose_name="序号")),
    ]
