"""Bundle-case events on the engine's event base: the deadline after each event. Existing rows are
kept; the deadline is filled from the bundle case for its events from acceptance on (the only
deadline a bundle case had before the calendar could move it)."""

from django.db import migrations, models


def fill_deadlines(apps, schema_editor):
    Event = apps.get_model("bundlecases", "BundleCaseEvent")
    BundleCase = apps.get_model("bundlecases", "BundleCase")
    for bc in BundleCase.objects.filter(deadline__isnull=False).only("id", "deadline"):
        accepted = Event.objects.filter(bundle_case_id=bc.pk, action="accept").values_list("seq", flat=True).first()
        if accepted is not None:
            Event.objects.filter(bundle_case_id=bc.pk, seq__gte=accepted).update(deadline=bc.deadline)


class Migration(migrations.Migration):

    dependencies = [
        ('bundlecases', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='bundlecaseevent',
            name='deadline',
            field=models.DateField(blank=True, null=True, verbose_name='此后期限'),
        ),
        migrations.AlterField(
            model_name='bundlecaseevent',
            name='from_status',
            field=models.CharField(blank=True, default='', max_length=24, verbose_name='原状态'),
        ),
        migrations.AlterField(
            model_name='bundlecaseevent',
            name='to_status',
            field=models.CharField(max_length=24, verbose_name='新状态'),
        ),
        migrations.RunPython(fill_deadlines, migrations.RunPython.noop),
    ]
